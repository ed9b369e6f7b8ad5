package dev.nightshift.core.internal.egress;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spec.EnvironmentSpec;
import dev.nightshift.core.EgressSettings;

/**
 * The few lines the engine calls where it starts a machine: resolve the phase's policy and put
 * it on the machine spec, failing closed when the runtime cannot enforce a restricted policy.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
public final class EgressHooks {
    private EgressHooks() {
    }

    /** Puts the policy of {@code phase} on {@code machine}; returns it. */
    public static EgressPolicy apply(MachineSpec.Builder machine, MachineRuntime runtime, EnvironmentSpec spec,
            EgressSettings settings, EgressResolver.Phase phase) {
        EgressPolicy policy = EgressResolver.resolve(spec, settings, phase);
        if (!policy.allowAll() && !runtime.enforcesEgress()) {
            throw new EnvironmentUnavailableException("the " + phase.name().toLowerCase(java.util.Locale.ROOT)
                    + " phase has a restricted network policy, but runtime '" + runtime.name()
                    + "' cannot enforce one; use a runtime that does (docker) or allow_all");
        }
        machine.egress(policy);
        return policy;
    }

    /**
     * The policy an agent's machine starts with: its setup ({@code install}, {@code start}) runs
     * first, so when both phases are restricted it starts with the build's policy and
     * {@link #enterTurn} narrows it before the turn. A restricted machine cannot become allow-all
     * nor the reverse without a new machine, so otherwise it starts with the turn's policy.
     */
    public static EgressPolicy startPolicy(EnvironmentSpec spec, EgressSettings settings) {
        EgressPolicy build = EgressResolver.resolve(spec, settings, EgressResolver.Phase.BUILD);
        EgressPolicy turn = EgressResolver.resolve(spec, settings, EgressResolver.Phase.TURN);
        return !build.allowAll() && !turn.allowAll() ? build : turn;
    }

    /** Puts the machine's start policy on {@code machine}, failing closed like {@link #apply}. */
    public static void applyStart(MachineSpec.Builder machine, MachineRuntime runtime, EnvironmentSpec spec,
            EgressSettings settings) {
        EgressPolicy policy = startPolicy(spec, settings);
        if (!policy.allowAll() && !runtime.enforcesEgress()) {
            throw new EnvironmentUnavailableException("the agent's machine has a restricted network policy, but runtime '"
                    + runtime.name() + "' cannot enforce one; use a runtime that does (docker) or allow_all");
        }
        machine.egress(policy);
    }

    /**
     * Puts the policy set on the agent itself ({@link EgressOverride}) on {@code machine}: it
     * replaces the spec's for the machine's setup and turns. Fails closed like {@link #apply}.
     */
    public static void applyOverride(MachineSpec.Builder machine, MachineRuntime runtime, EgressPolicy policy) {
        if (!policy.allowAll() && !runtime.enforcesEgress()) {
            throw new EnvironmentUnavailableException("the agent's network policy is restricted, but runtime '"
                    + runtime.name() + "' cannot enforce one; use a runtime that does (docker)");
        }
        machine.egress(policy);
    }

    /**
     * Before a turn: narrows a machine started with the build's policy to the turn's, once per
     * machine (a later live change through {@link dev.nightshift.api.runtime.Machine#updateEgress}
     * then stays in force for the following turns of that machine).
     */
    public static void enterTurn(dev.nightshift.api.runtime.Machine machine, EnvironmentSpec spec, EgressSettings settings) {
        EgressPolicy start = startPolicy(spec, settings);
        EgressPolicy turn = EgressResolver.resolve(spec, settings, EgressResolver.Phase.TURN);
        if (!start.equals(turn) && NARROWED.putIfAbsent(machine, Boolean.TRUE) == null) {
            try {
                machine.updateEgress(turn);
            } catch (RuntimeException e) {
                NARROWED.remove(machine);
                throw e;
            }
        }
    }

    /** Machines already narrowed to their turn's policy; weak: an agent's machine object goes with it. */
    private static final java.util.Map<dev.nightshift.api.runtime.Machine, Boolean> NARROWED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
}
