package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.PushRejectedException;
import dev.nightshift.git.GitHost;
import java.util.Optional;

/** Stage 8, handoff: what the turn left committed, the branch brought out of the machine and pushed. */
public final class HandoffStage {
    private HandoffStage() {
    }

    /** Hands the turn's work off; empty when that failed (the agent is then in ERROR). */
    public static Optional<GitHost.Handoff> run(AgentScope a, String summary) {
        a.enter(Phase.HANDOFF);
        AgentInfo info = a.info();
        try {
            GitHost.Handoff h = a.git().handOff(a.machine().view().delegate(), info.request().repository(),
                    info.branch(), AgentMachine.WORKSPACE, a.environment().user(), a.redactor().apply(summary),
                    info.request().push());
            String recorded = a.redactor().apply(summary);
            a.emit(new AgentEvent.HandedOff(a.id(), 0, a.now(), info.branch(), h.commit(), h.pushed(), recorded));
            a.update(i -> i.withHandoff(h.commit(), recorded, a.now()));
            return Optional.of(h);
        } catch (NightshiftException e) {
            String why = a.engine().pushGuard().refusal(info.branch()).map(r -> "push refused: " + r)
                    .orElse(e.getMessage());
            a.fail("handoff of " + info.branch() + " failed: " + why
                    + (e instanceof PushRejectedException p && p.preservedRef() != null
                            ? " (the agent's commits are kept under " + p.preservedRef() + " in the host mirror)" : ""));
            return Optional.empty();
        }
    }
}
