package dev.nightshift.core.internal;

import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Timeouts;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.SpecResolver;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * Everything an agent needs from its engine, in one immutable bundle.
 *
 * @param git the engine's git host (mirrors, bundles, pushes) with the engine's credentials
 * @param agentGit which credentials an agent's fetches and pushes use ({@link #gitFor})
 * @param spec resolves the environment.json in force for a repository tree
 * @param owner this engine's lease owner name (host, pid, random)
 * @param machineSlots the running-machine count, in this engine and across processes sharing the store
 * @param redactor applied to everything recorded besides secrets (e.g. host paths); identity by default
 * @param storeId identifies the agent store (its state directory): labels agents' machines so that
 *     gc only ever touches machines of agents of this store
 * @param secrets secret resolution, injection and redaction ({@link SecretHooks#NONE} without a store)
 * @param egress the embedder's network policy per phase
 * @param timeouts how long the engine waits for its own work to end
 * @param controls where agents' inboxes are drained ({@code control.Inbox}): the engine's own
 *     daemon threads, apart from {@link #executor} (which the embedder may bound and whose loops
 *     may wait on a control), so a control never waits for a thread a turn holds
 */
public record EngineContext(MachineRuntime runtime, GitHost git, AgentGitCredentials agentGit, SpecResolver spec, AgentStore store,
        Map<String, AgentDriver> drivers, ExecutorService executor, ScheduledExecutorService scheduler, Clock clock,
        Limits limits, String owner, MachineSlots machineSlots,
        EnvironmentCache environments, UnaryOperator<String> redactor, Map<String, String> machineEnv,
        SecretHooks secrets, SecretPushGuard pushGuard, String storeId, dev.nightshift.core.EgressSettings egress,
        Timeouts timeouts, ExecutorService controls) {

    /**
     * The git host with the credentials of the agent {@code request} spawned (its owner's): every
     * fetch and push through it, submodules and dependencies included, uses them. Same mirrors.
     */
    public GitHost gitFor(AgentRequest request) {
        GitCredentials c = agentGit.credentialsFor(request);
        if (c == null) {
            throw new IllegalStateException("AgentGitCredentials answered null for an agent; answer GitCredentials.NONE");
        }
        return git.withCredentials(c);
    }
}
