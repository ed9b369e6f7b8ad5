package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.git.GitHost;

/** Stage 5, checkout: the source commit checked out on the agent's branch in the machine's workspace. */
public final class CheckoutStage {
    private CheckoutStage() {
    }

    /** Where the agent's work starts. */
    public record CheckedOut(String commit, String branch, String workspace) {
    }

    public static CheckedOut run(AgentScope a, String repository, GitHost.Source source, String branch, String user) {
        a.enter(Phase.CHECKOUT);
        // git's own commands run on the machine itself: not the agent's commands, not recorded as such
        a.git().moveIn(a.machine().view().delegate(), repository, source.commit(), branch,
                AgentMachine.WORKSPACE, user);
        a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), "checked out " + source.commit().substring(0, 12) + " on "
                + branch + " in " + AgentMachine.WORKSPACE));
        return new CheckedOut(source.commit(), branch, AgentMachine.WORKSPACE);
    }
}
