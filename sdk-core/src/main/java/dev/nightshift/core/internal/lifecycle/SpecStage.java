package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;

/** Stage 2, resolve spec: the environment spec in force for the fetched tree, and the agent's branch. */
public final class SpecStage {
    private SpecStage() {
    }

    /** The spec in force and the branch the agent works on. */
    public record Specified(ResolvedSpec resolved, String branch) {
    }

    public static Specified run(AgentScope a, AgentRequest request, GitHost.Source source) {
        a.enter(Phase.SPEC);
        ResolvedSpec resolved = a.engine().spec().resolve(source.tree());
        a.environment(new Environment(resolved, null, null));
        resolved.warnings().forEach(p -> a.emit(new AgentEvent.Warning(a.id(), 0, a.now(), "spec", p.toString())));
        String branch = a.git().branchName(request.repository(), request.prompt(), request.branchName());
        a.update(i -> i.withBranch(branch, a.now()));
        return new Specified(resolved, branch);
    }
}
