package dev.nightshift.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known about an agent at one moment: the record sdk-core keeps in its
 * {@link dev.nightshift.api.spi.AgentStore} and hands to callers.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value; ask {@link Agent#info()} again
 * for a fresh one, or listen to events.
 *
 * <pre>{@code
 * AgentInfo info = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(5));
 * System.out.println(info.branch().orElse("-") + " @ " + info.commit().orElse("-") + ": "
 *         + info.summary().orElse(""));
 * }</pre>
 *
 * @param id the agent id
 * @param request what was asked
 * @param status current status
 * <p>A value that may be absent is an {@link Optional}, never {@code null} ({@code null} given to
 * the constructor becomes {@link Optional#empty()}); the {@code with…} methods take plain values,
 * {@code null} for none.
 *
 * @param branch the agent's branch; empty before it is chosen
 * @param commit the last commit handed off (pushed); empty before the first
 * @param summary the last turn's summary; empty before the first
 * @param error why the agent is in {@code ERROR}; empty in any other status
 * @param machineId the machine it runs in; empty when it has none
 * @param snapshotId the snapshot it was hibernated to; empty when none
 * @param hibernated whether its machine is hibernated (snapshotted and removed)
 * @param takenOver whether a human has taken over
 * @param usage resources used so far
 * @param lastSequence the sequence number of its newest event (0 when none)
 * @param createdAt when it was spawned
 * @param updatedAt when this record last changed
 */
public record AgentInfo(String id, AgentRequest request, AgentStatus status, Optional<String> branch,
        Optional<String> commit, Optional<String> summary, Optional<String> error, Optional<String> machineId,
        Optional<String> snapshotId, boolean hibernated, boolean takenOver, Usage usage, long lastSequence,
        Instant createdAt, Instant updatedAt) {

    public AgentInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        branch = branch == null ? Optional.empty() : branch;
        commit = commit == null ? Optional.empty() : commit;
        summary = summary == null ? Optional.empty() : summary;
        error = error == null ? Optional.empty() : error;
        machineId = machineId == null ? Optional.empty() : machineId;
        snapshotId = snapshotId == null ? Optional.empty() : snapshotId;
        usage = usage == null ? Usage.NONE : usage;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A new agent in {@code CREATING}. */
    public static AgentInfo creating(String id, AgentRequest request, Instant now) {
        return new AgentInfo(id, request, AgentStatus.CREATING, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false, false, Usage.NONE, 0,
                now, now);
    }

    public AgentInfo withStatus(AgentStatus s, Instant now) {
        return new AgentInfo(id, request, s, branch, commit, summary,
                s.equals(AgentStatus.ERROR) ? error : Optional.empty(), machineId, snapshotId, hibernated, takenOver,
                usage, lastSequence, createdAt, now);
    }

    /** In {@code ERROR} because of {@code message} ({@code null} for no message). */
    public AgentInfo withError(String message, Instant now) {
        return new AgentInfo(id, request, AgentStatus.ERROR, branch, commit, summary, Optional.ofNullable(message),
                machineId, snapshotId, hibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    /** With this branch ({@code null} for none). */
    public AgentInfo withBranch(String b, Instant now) {
        return new AgentInfo(id, request, status, Optional.ofNullable(b), commit, summary, error, machineId,
                snapshotId, hibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    /** With this handed-off commit and summary (each {@code null} for none). */
    public AgentInfo withHandoff(String c, String s, Instant now) {
        return new AgentInfo(id, request, status, branch, Optional.ofNullable(c), Optional.ofNullable(s), error,
                machineId, snapshotId, hibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    /** With this machine and snapshot (each {@code null} for none). */
    public AgentInfo withMachine(String m, String snapshot, boolean isHibernated, Instant now) {
        return new AgentInfo(id, request, status, branch, commit, summary, error, Optional.ofNullable(m),
                Optional.ofNullable(snapshot), isHibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withTakenOver(boolean value, Instant now) {
        return new AgentInfo(id, request, status, branch, commit, summary, error, machineId, snapshotId, hibernated,
                value, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withUsage(Usage u, Instant now) {
        return new AgentInfo(id, request, status, branch, commit, summary, error, machineId, snapshotId, hibernated,
                takenOver, u, lastSequence, createdAt, now);
    }

    public AgentInfo withLastSequence(long seq) {
        return new AgentInfo(id, request, status, branch, commit, summary, error, machineId, snapshotId, hibernated,
                takenOver, usage, seq, createdAt, updatedAt);
    }
}
