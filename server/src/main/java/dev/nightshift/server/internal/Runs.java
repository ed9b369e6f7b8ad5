package dev.nightshift.server.internal;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConversationMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The v1 API's runs, read from an agent's event log: one run per prompt (the first prompt, then
 * each follow-up). Run {@code n} starts at the n-th user message (the first run at the agent's
 * first event; a follow-up's run at the status change that woke the agent for it) and ends at the
 * next status change to a settled or final status. Run ids are derived from the agent id and the
 * run's number, so they need no storage of their own and survive restarts.
 *
 * <p>The v1 API refuses a new run while one is active, so runs never overlap through it; a
 * follow-up queued by another client during a turn is counted from its message.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
final class Runs {
    static final Set<AgentStatus> ENDS = Set.of(AgentStatus.FINISHED, AgentStatus.ERROR, AgentStatus.STOPPED,
            AgentStatus.CANCELLED, AgentStatus.EXPIRED);

    private Runs() {
    }

    /** One run as read from the log. */
    record Run(String id, String agentId, int number, long startSequence, long messageSequence, long endSequence,
            String status, Instant createdAt, Instant updatedAt, String summary, String error, String branch) {
        boolean isOpen() {
            return endSequence < 0;
        }
    }

    static String runId(String agentId, int number) {
        return "run-" + UUID.nameUUIDFromBytes((agentId + "#" + number).getBytes(StandardCharsets.UTF_8));
    }

    /** Every run of the agent, oldest first. */
    static List<Run> of(AgentInfo info, List<AgentEvent> events) {
        List<Run> runs = new ArrayList<>();
        Builder open = null;
        AgentEvent previous = null;
        for (AgentEvent e : events) {
            if (e instanceof AgentEvent.MessageAdded m && m.message().type() == ConversationMessage.Type.USER_MESSAGE) {
                if (open != null) {
                    // a follow-up queued during a turn (not through v1): the earlier run ends where it begins
                    runs.add(open.end(e.sequence() - 1, AgentStatus.FINISHED, m.time()));
                }
                long start = runs.isEmpty() && open == null ? 1
                        : previous instanceof AgentEvent.StatusChanged s && AgentStatus.RUNNING.equals(s.to())
                                ? s.sequence() : e.sequence();
                open = new Builder(info.id(), runs.size() + 1, start, e.sequence(), runs.isEmpty() && open == null
                        ? info.createdAt() : e.time());
            } else if (open != null && e instanceof AgentEvent.HandedOff h) {
                open.summary = h.summary();
                open.branch = h.branch();
            } else if (open != null && e instanceof AgentEvent.StatusChanged s && ENDS.contains(s.to())) {
                runs.add(withErrorOf(open.end(s.sequence(), s.to(), s.time()),
                        AgentStatus.ERROR.equals(s.to()) ? info.error().orElse(null) : null));
                open = null;
            }
            previous = e;
        }
        if (open != null) {
            runs.add(open.end(-1, null, info.updatedAt()));
        }
        return runs.stream().map(r -> withOpenStatus(r, info)).toList();
    }

    private static Run withOpenStatus(Run r, AgentInfo info) {
        if (!r.isOpen()) {
            return r;
        }
        String status = AgentStatus.CREATING.equals(info.status()) ? "CREATING" : "RUNNING";
        return new Run(r.id(), r.agentId(), r.number(), r.startSequence(), r.messageSequence(), r.endSequence(), status,
                r.createdAt(), info.updatedAt(), r.summary(), r.error(), r.branch());
    }

    /** The v1 run status for an agent's status change that ends a run. */
    static String endStatus(AgentStatus to) {
        if (AgentStatus.FINISHED.equals(to)) {
            return "FINISHED";
        }
        if (AgentStatus.ERROR.equals(to)) {
            return "ERROR";
        }
        if (AgentStatus.EXPIRED.equals(to)) {
            return "EXPIRED";
        }
        return "CANCELLED"; // stopped or cancelled
    }

    private static final class Builder {
        final String agentId;
        final int number;
        final long start;
        final long message;
        final Instant created;
        String summary;
        String branch;

        Builder(String agentId, int number, long start, long message, Instant created) {
            this.agentId = agentId;
            this.number = number;
            this.start = start;
            this.message = message;
            this.created = created;
        }

        Run end(long endSequence, AgentStatus to, Instant at) {
            return new Run(runId(agentId, number), agentId, number, start, message, endSequence,
                    to == null ? "RUNNING" : endStatus(to), created, at, summary, null, branch);
        }
    }

    static Run withErrorOf(Run r, String error) {
        return new Run(r.id(), r.agentId(), r.number(), r.startSequence(), r.messageSequence(), r.endSequence(),
                r.status(), r.createdAt(), r.updatedAt(), r.summary(), error, r.branch());
    }
}
