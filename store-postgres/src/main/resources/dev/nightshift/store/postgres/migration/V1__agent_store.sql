-- Nightshift's agent store. Records, events and messages are `json`, not `jsonb`: jsonb (like
-- text) cannot hold the character U+0000, which command output may carry; the columns queried
-- (status, repository, labels) are extracted into their own columns. Times that order or expire things are epoch nanoseconds (bigint):
-- timestamptz keeps microseconds only, and leases expire on the store's Clock, not the database's.

create table agents (
    id          text primary key,
    record      json   not null,
    created_ns  bigint not null,
    status      text   not null,
    repository  text   not null,
    labels      jsonb  not null
);
create index agents_newest_first on agents (created_ns desc, id);
create index agents_labels on agents using gin (labels jsonb_path_ops);

-- One row per event; (agent_id, seq) is the key, and the store inserts seq only when it is the
-- agent's last + 1, so the log has no gap and no repeat under concurrent writers.
create table events (
    agent_id  text   not null,
    seq       bigint not null check (seq > 0),
    body      json   not null,
    primary key (agent_id, seq)
);

create table messages (
    agent_id  text      not null,
    position  bigserial not null,
    body      json      not null,
    primary key (agent_id, position)
);

create table leases (
    agent_id    text   primary key,
    owner       text   not null,
    expires_ns  bigint not null
);

-- Readers in other processes wait on this channel instead of polling: the payload is
-- "<seq>:<agent id>", sent when the inserting transaction commits.
create function events_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('nightshift_events', new.seq || ':' || new.agent_id);
    return null;
end;
$$;
create trigger events_notify after insert on events for each row execute function events_notify();
