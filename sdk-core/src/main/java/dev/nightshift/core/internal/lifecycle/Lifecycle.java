package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentCancelledException;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.git.GitHost;
import dev.nightshift.spec.ResolvedSpec;
import java.util.Map;

/**
 * The story of an agent, stage by stage. A new agent is created once:
 *
 * <ol>
 *   <li>{@link FetchStage} fetches the repository into the host mirror;
 *   <li>{@link SpecStage} resolves the environment spec and names the branch (then the secrets);
 *   <li>{@link BuildStage} finds or builds the environment snapshot;
 *   <li>{@link MachineStage} starts a machine on it;
 *   <li>{@link CheckoutStage} checks the commit out on the agent's branch;
 *   <li>{@link ServicesStage} runs {@code install}, {@code start} and the terminals;
 * </ol>
 *
 * then every prompt is one {@link TurnStage} followed by one {@link HandoffStage}. A hibernated
 * machine is {@linkplain #restore restored} (stages 4 and 6) before the next turn or a take-over.
 * Each move between phases is checked by the {@link PhaseMachine}; a stop or cancel between stages
 * is read from the {@link CancellationToken}. The agent's status is the actor's
 * ({@code AgentActor}); the stages only record.
 *
 * <p><b>Thread-safety:</b> stateless; runs on the agent's loop (a restore may also run on the
 * thread of a take-over or promotion).
 */
public final class Lifecycle {
    private Lifecycle() {
    }

    /** Stages 1 to 6; false when the agent ended on the way (it is then settled or in ERROR). */
    public static boolean create(AgentScope a) {
        AgentRequest request = a.info().request();
        String repository = request.repository();
        try {
            GitHost.Source source = FetchStage.run(a, request);
            SpecStage.Specified spec = SpecStage.run(a, request, source);

            a.enter(Phase.SECRETS);
            a.useSecrets(a.engine().secrets().resolve(a.id(), repository, Map.of()));

            EnvironmentCache.Prepared prepared = BuildStage.run(a, repository, source, spec.resolved());
            a.token().throwIfStopOrCancel(a.id(), "its machine started");

            Environment env = a.environment();
            MachineStage.start(a, prepared.snapshot().id(), env);
            CheckoutStage.run(a, repository, source, spec.branch(), env.user());
            ServicesStage.install(a, prepared, source.commit(), env);
            ServicesStage.start(a, env);
            return true;
        } catch (AgentCancelledException e) {
            a.settle(null);
            return false;
        } catch (NightshiftException e) {
            if (a.token().stopOrCancel()) {
                a.settle(null);
            } else {
                a.fail(e.getMessage());
            }
            return false;
        }
    }

    /** Stages 7 and 8 for one prompt; false when the agent ended (it is then settled or in ERROR). */
    public static boolean turn(AgentScope a, String prompt, Runnable timeOut) {
        TurnStage.Outcome outcome = TurnStage.run(a, prompt, timeOut).orElse(null);
        if (outcome == null) {
            return false;
        }
        if (HandoffStage.run(a, outcome.summary()).isEmpty()) {
            return false;
        }
        if (outcome.error() != null) {
            a.settle(outcome.error());
            return false;
        }
        return true;
    }

    /**
     * The agent's environment with its spec resolved: an agent adopted after a restart has none
     * until something needs it (a restore, a restricted egress policy), which fetches its commit.
     */
    static Environment resolvedEnvironment(AgentScope a) {
        Environment env = a.environment();
        if (env.resolved() == null) {
            AgentRequest request = a.info().request();
            String commit = a.info().commit();
            GitHost.Source source = a.git().fetch(request.repository(), commit != null ? commit : request.ref());
            ResolvedSpec resolved = a.engine().spec().resolve(source.tree());
            env = new Environment(resolved, env.key(), EnvironmentCache.userFor(resolved.spec(), resolved.spec().baseKind()));
            a.environment(env);
        }
        return env;
    }

    /**
     * Stages 4 and 6 again: a machine from the hibernation snapshot {@code snapshotId}, its
     * services started; false (and the agent in ERROR) when that failed.
     */
    public static boolean restore(AgentScope a, String snapshotId) {
        try {
            Environment env = resolvedEnvironment(a);
            Machine m = MachineStage.restore(a, snapshotId, env);
            ServicesStage.start(a, env);
            // the snapshot stays while the restored machine runs on it (the runtime refuses to delete it
            // before): it goes when the machine does (remove) or is hibernated anew
            a.update(i -> i.withMachine(m.id(), snapshotId, false, a.now()));
            return true;
        } catch (NightshiftException e) {
            a.fail("cannot restore the hibernated machine from " + snapshotId + ": " + e.getMessage());
            return false;
        }
    }
}
