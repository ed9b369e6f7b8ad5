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
 * System.out.println(info.branch() + " @ " + info.commit() + ": " + info.summary());
 * }</pre>
 *
 * @param id the agent id
 * @param request what was asked
 * @param status current status
 * @param branch the agent's branch, or {@code null} before it is chosen
 * @param commit the last commit handed off (pushed), or {@code null}
 * @param summary the last turn's summary, or {@code null}
 * @param error why the agent is in {@code ERROR}, or {@code null}
 * @param machineId the machine it runs in, or {@code null} when it has none
 * @param snapshotId the snapshot it was hibernated to, or {@code null}
 * @param hibernated whether its machine is hibernated (snapshotted and removed)
 * @param takenOver whether a human has taken over
 * @param usage resources used so far
 * @param lastSequence the sequence number of its newest event (0 when none)
 * @param createdAt when it was spawned
 * @param updatedAt when this record last changed
 */
public record AgentInfo(String id, AgentRequest request, AgentStatus status, String branch, String commit,
        String summary, String error, String machineId, String snapshotId, boolean hibernated, boolean takenOver,
        Usage usage, long lastSequence, Instant createdAt, Instant updatedAt) {

    public AgentInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        usage = usage == null ? Usage.NONE : usage;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A new agent in {@code CREATING}. */
    public static AgentInfo creating(String id, AgentRequest request, Instant now) {
        return new AgentInfo(id, request, AgentStatus.CREATING, null, null, null, null, null, null,
                false, false, Usage.NONE, 0, now, now);
    }

    public Optional<String> branchIfSet() { return Optional.ofNullable(branch); }
    public Optional<String> commitIfSet() { return Optional.ofNullable(commit); }
    public Optional<String> summaryIfSet() { return Optional.ofNullable(summary); }
    public Optional<String> errorIfSet() { return Optional.ofNullable(error); }
    public Optional<String> machineIdIfSet() { return Optional.ofNullable(machineId); }

    public AgentInfo withStatus(AgentStatus s, Instant now) {
        return new AgentInfo(id, request, s, branch, commit, summary, s.equals(AgentStatus.ERROR) ? error : null,
                machineId, snapshotId, hibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withError(String message, Instant now) {
        return new AgentInfo(id, request, AgentStatus.ERROR, branch, commit, summary, message, machineId,
                snapshotId, hibernated, takenOver, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withBranch(String b, Instant now) {
        return new AgentInfo(id, request, status, b, commit, summary, error, machineId, snapshotId, hibernated,
                takenOver, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withHandoff(String c, String s, Instant now) {
        return new AgentInfo(id, request, status, branch, c, s, error, machineId, snapshotId, hibernated,
                takenOver, usage, lastSequence, createdAt, now);
    }

    public AgentInfo withMachine(String m, String snapshot, boolean isHibernated, Instant now) {
        return new AgentInfo(id, request, status, branch, commit, summary, error, m, snapshot, isHibernated,
                takenOver, usage, lastSequence, createdAt, now);
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
