package dev.nightshift.core.internal.engine;

import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.core.EgressSettings;
import dev.nightshift.core.Limits;
import dev.nightshift.core.Timeouts;
import dev.nightshift.core.internal.SecretHooks;
import dev.nightshift.secrets.SecretStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;

/**
 * An engine's configuration with everything resolved (the runtime, store, executor and secret
 * provider found): what {@code Nightshift.Builder#build()} hands to {@link Engine}.
 *
 * @param store the store the engine uses (already wrapped so that interrupts cannot break its writes)
 * @param ownsStore whether the engine closes the store (it made it, or found it through the SPI)
 * @param ownsExecutor whether the engine shuts the executor down (it made it)
 * @param drivers the drivers registered on the builder, in order (the shell driver comes first)
 * @param storeId the label value that scopes gc to this store's machines and images
 * @param imageStorePath the state directory when the store is the engine's own files (any engine
 *     can tell when it is gone), else null
 * @param secretHooks secret resolution for agents ({@link SecretHooks#NONE} without a provider)
 * @param ownedSecretStore the local secret store the engine opened itself (it closes it), or null
 */
public record EngineSettings(MachineRuntime runtime, AgentStore store, boolean ownsStore, ExecutorService executor,
        boolean ownsExecutor, List<AgentDriver> drivers, Path mirrorDirectory, GitCredentials gitCredentials,
        AgentGitCredentials agentGitCredentials, String branchPrefix, String authorName, String authorEmail,
        boolean strictSpec, String personalConfig, String teamConfig, String storeId, Path imageStorePath,
        Duration imageGracePeriod, int environmentSnapshotsKept, Clock clock, Limits limits,
        Timeouts timeouts, EgressSettings egress, UnaryOperator<String> redactor,
        Map<String, String> machineEnv, SecretProvider secretProvider, SecretHooks secretHooks,
        SecretStore ownedSecretStore, boolean hibernateOnClose, Duration sweepInterval, Duration controlTimeout) {
    public EngineSettings {
        drivers = List.copyOf(drivers);
        machineEnv = Map.copyOf(machineEnv);
    }
}
