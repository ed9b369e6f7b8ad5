package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.time.Instant;
import java.util.Map;

/** Stage 3, build: the environment snapshot for this commit and spec, found or built (and shared). */
public final class BuildStage {
    private BuildStage() {
    }

    public static EnvironmentCache.Prepared run(AgentScope a, String repository, GitHost.Source source,
            ResolvedSpec resolved) {
        a.enter(Phase.BUILD);
        Instant start = a.now();
        EnvironmentCache.Prepared prepared = a.engine().environments().prepare(new EnvironmentCache.Request(repository,
                source, resolved, a.engine().limits().installTimeout(),
                a.engine().secrets().resolve(null, repository, Map.of()),
                line -> a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), line)),
                warning -> a.emit(new AgentEvent.Warning(a.id(), 0, a.now(), "snapshot-unknown", warning))).withGit(a.git()));
        a.environment(new Environment(resolved, prepared.key(), prepared.user()));
        if (prepared.built()) {
            a.addUsage("build", start);
        }
        return prepared;
    }
}
