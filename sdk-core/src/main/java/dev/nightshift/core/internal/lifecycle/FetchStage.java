package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.git.GitHost;

/** Stage 1, fetch: the request's repository fetched into the host mirror and its ref resolved. */
public final class FetchStage {
    private FetchStage() {
    }

    public static GitHost.Source run(AgentScope a, AgentRequest request) {
        a.enter(Phase.FETCH);
        a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), "fetching " + EnvironmentCache.labelSafe(request.repository())
                + (request.ref() == null ? "" : " at " + request.ref())));
        GitHost.Source source = a.git().fetch(request.repository(), request.ref());
        a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), "source commit " + source.commit()));
        return source;
    }
}
