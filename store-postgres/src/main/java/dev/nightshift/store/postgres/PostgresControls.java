package dev.nightshift.store.postgres;

import static dev.nightshift.store.postgres.Database.nanos;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The store's control inbox between engines: the {@code controls} table (migration V2). A sender
 * inserts a command; the lease holder claims it ({@code for update skip locked}, so one claimer
 * gets it), runs it and writes its result; the sender reads and deletes the row. Waiters poll the
 * table every {@link #POLL}.
 *
 * <p><b>Thread-safety:</b> thread-safe (each call is one statement on a pooled connection).
 */
final class PostgresControls {
    /** How often a waiting claimer or sender looks at the controls table again. */
    private static final Duration POLL = Duration.ofMillis(200);

    private final Database db;

    PostgresControls(Database db) {
        this.db = db;
    }

    void submit(ControlCommand command) {
        Database.refuseNul("an agent id", command.agentId());
        db.update("send a control to " + command.agentId(), """
                insert into controls (id, agent_id, command, sent_ns) values (?, ?, ?::json, ?)
                """, command.id(), command.agentId(), StoreJson.write(command), nanos(command.sentAt()));
    }

    List<ControlCommand> claim(Set<String> agentIds, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String[] ids = agentIds.toArray(String[]::new);
            if (ids.length > 0) {
                List<String> rows = db.strings("claim controls", """
                        update controls set claimed = true where id in (
                            select id from controls where not claimed and agent_id = any (?)
                            order by sent_ns for update skip locked)
                        returning command::text
                        """, (Object) ids);
                if (!rows.isEmpty()) {
                    List<ControlCommand> out = new ArrayList<>();
                    for (String row : rows) {
                        out.add(StoreJson.read(row, ControlCommand.class, "a control"));
                    }
                    out.sort(Comparator.comparing(ControlCommand::sentAt));
                    return out;
                }
            }
            if (!pauseUntil(deadline)) {
                return List.of();
            }
        }
    }

    void complete(ControlResult result) {
        db.update("record the result of control " + result.commandId(),
                "update controls set result = ?::json where id = ?", StoreJson.write(result), result.commandId());
    }

    Optional<ControlResult> awaitResult(String commandId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> rows = db.strings("read the result of control " + commandId,
                    "delete from controls where id = ? and result is not null returning result::text", commandId);
            if (!rows.isEmpty()) {
                return Optional.of(StoreJson.read(rows.get(0), ControlResult.class,
                        "the result of control " + commandId));
            }
            if (!pauseUntil(deadline)) {
                return Optional.empty();
            }
        }
    }

    boolean withdraw(String commandId) {
        return db.update("withdraw control " + commandId, "delete from controls where id = ? and not claimed",
                commandId) == 1;
    }

    int purge(Instant sentBefore) {
        return db.update("purge old controls", "delete from controls where sent_ns < ?", nanos(sentBefore));
    }

    /** Waits one poll interval (less when the deadline is nearer); false once the deadline has passed. */
    private static boolean pauseUntil(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        LockSupport.parkNanos(Math.min(left, POLL.toNanos()));
        if (Thread.currentThread().isInterrupted()) {
            throw new NightshiftException("interrupted while waiting for a control");
        }
        return true;
    }
}
