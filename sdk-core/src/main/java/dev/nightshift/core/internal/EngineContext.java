package dev.nightshift.core.internal;

import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Timeouts;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * Everything an agent needs from its engine, in one immutable bundle.
 *
 * @param owner this engine's lease owner name (host, pid, random)
 * @param machineSlots the running-machine count, in this engine and across processes sharing the store
 * @param redactor applied to everything recorded besides secrets (e.g. host paths); identity by default
 * @param storeId identifies the agent store (its state directory): labels agents' machines so that
 *     gc only ever touches machines of agents of this store
 * @param secrets secret resolution, injection and redaction ({@link SecretHooks#NONE} without a store)
 * @param egress the embedder's network policy per phase
 * @param timeouts how long the engine waits for its own work to end
 */
public record EngineContext(MachineRuntime runtime, GitPort git, SpecPort spec, AgentStore store,
        Map<String, AgentDriver> drivers, ExecutorService executor, ScheduledExecutorService scheduler, Clock clock,
        Limits limits, String owner, MachineSlots machineSlots,
        EnvironmentCache environments, UnaryOperator<String> redactor, Map<String, String> machineEnv,
        SecretHooks secrets, SecretPushGuard pushGuard, String storeId, dev.nightshift.core.EgressSettings egress,
        Timeouts timeouts) {
}
