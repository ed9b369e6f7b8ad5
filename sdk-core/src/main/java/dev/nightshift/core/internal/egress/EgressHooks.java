package dev.nightshift.core.internal.egress;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.Runtime;
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
    public static EgressPolicy apply(MachineSpec.Builder machine, Runtime runtime, EnvironmentSpec spec,
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
}
