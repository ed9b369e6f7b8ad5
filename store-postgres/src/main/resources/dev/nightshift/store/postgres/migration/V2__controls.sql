-- Controls between engines (AgentStore#submitControl): a command waits unclaimed until the
-- agent's lease holder claims it (claimed = true, once: FOR UPDATE SKIP LOCKED), then carries its
-- result until the sender reads and deletes the row. A sender withdraws a command only while it
-- is unclaimed.
create table controls (
    id        text    primary key,
    agent_id  text    not null,
    command   json    not null,
    sent_ns   bigint  not null,
    claimed   boolean not null default false,
    result    json
);
create index controls_pending on controls (agent_id, sent_ns) where not claimed;
