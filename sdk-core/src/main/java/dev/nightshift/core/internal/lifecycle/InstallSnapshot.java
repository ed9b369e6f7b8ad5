package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.core.internal.SecretHooks;
import dev.nightshift.core.internal.egress.EgressHooks;
import dev.nightshift.core.internal.egress.EgressResolver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 6's cache step after an install re-run. An agent on a commit its environment snapshot's
 * {@code install} did not run on runs {@code install} on its own machine; the disk is then
 * snapshotted as its environment's newest snapshot, labelled with that commit, so the next agents
 * on the commit start from it without running {@code install} again (environment.json: "after it
 * the disk is snapshotted and later agents start from that snapshot"). It costs the re-running
 * agent one snapshot (the machine is paused meanwhile) before {@code start}.
 *
 * <p>The snapshot is only kept when it is what a build of that commit could have made, else the
 * agent goes on without one and says why in its build output:
 * <ul>
 *   <li>{@code install} left the tracked files as committed (an agent's checkout would undo the rest);</li>
 *   <li>the agent has no build secrets (its {@code install} ran without them, so it is not the
 *       build the cache key names) and no file {@code install} changed holds one of its secrets
 *       (the search is the build's);</li>
 *   <li>its machine ran {@code install} under no wider network policy than the build's: no policy
 *       set on the agent itself, and the spec's start policy is the build's, or the build's is
 *       {@code allow_all}.</li>
 * </ul>
 * A check or snapshot that fails (a runtime that cannot) is logged and skipped: the agent goes on
 * without one.
 */
final class InstallSnapshot {
    private static final Logger log = LoggerFactory.getLogger(AgentScope.LOGGER);
    static final String MARKER = "/tmp/.nightshift-install-start";

    private InstallSnapshot() {
    }

    /** Before the re-run: marks when it started, for the search of the agent's secrets afterwards. */
    static void markStart(AgentScope a) {
        if (!a.secrets().machineEnv().isEmpty()) {
            a.machine().current().exec(ExecRequest.bash("touch " + MARKER).user("root").build()).await();
        }
    }

    /** After a successful re-run on {@code commit}: the snapshot later agents on it start from, when it may be. */
    static void keep(AgentScope a, EnvironmentCache.Prepared prepared, String commit, Environment env) {
        Machine machine = a.machine().current();
        try {
            Optional<String> why = whyNot(a, env, machine);
            if (why.isPresent()) {
                output(a, "install on " + shortCommit(commit) + " is not kept as a snapshot: " + why.get());
                return;
            }
            Map<String, String> labels = new java.util.HashMap<>(a.engine().environments().environmentLabels(
                    prepared.key(), a.info().request().repository(), commit));
            // the machine's labels carry over to its snapshot: this one is the environment's, not the agent's
            labels.put(AgentMachine.LABEL_AGENT, "");
            SnapshotInfo s = machine.snapshot(labels);
            output(a, "environment " + EnvironmentCache.shortKey(prepared.key()) + ": snapshot " + s.id()
                    + " (install on " + shortCommit(commit) + "; later agents on this commit start from it)");
        } catch (AgentCancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("agent {}: the snapshot after install on {} failed, agents on it run install again: {}",
                    a.id(), shortCommit(commit), e.getMessage());
            output(a, "install on " + shortCommit(commit) + " is not kept as a snapshot: " + e.getMessage());
        }
    }

    private static Optional<String> whyNot(AgentScope a, Environment env, Machine machine) {
        SecretHooks.Resolved secrets = a.secrets();
        if (!secrets.buildSecrets().isEmpty()) {
            return Optional.of("the agent has build secrets, which its install ran without");
        }
        EnvironmentSpec spec = env.resolved().spec();
        if (a.egressOverride().current().isPresent()) {
            return Optional.of("the agent has a network policy of its own");
        }
        EgressPolicy build = EgressResolver.resolve(spec, a.engine().egress(), EgressResolver.Phase.BUILD);
        if (!build.allowAll() && !EgressHooks.startPolicy(spec, a.engine().egress()).equals(build)) {
            return Optional.of("its machine's network policy is not the build's");
        }
        if (!EnvironmentCache.installLeftTrackedFilesAsCommitted(machine, env.user())) {
            return Optional.of("install changed tracked files");
        }
        for (Map.Entry<String, String> secret : secrets.machineEnv().entrySet()) {
            List<String> files = EnvironmentCache.filesHolding(machine, MARKER, secret.getValue());
            if (!files.isEmpty()) {
                return Optional.of("install wrote the secret " + secret.getKey() + " into " + String.join(", ", files));
            }
        }
        return Optional.empty();
    }

    private static void output(AgentScope a, String line) {
        a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), line));
    }

    private static String shortCommit(String commit) {
        return commit.substring(0, Math.min(12, commit.length()));
    }
}
