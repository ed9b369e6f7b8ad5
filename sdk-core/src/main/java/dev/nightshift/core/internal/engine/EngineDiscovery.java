package dev.nightshift.core.internal.engine;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.core.internal.Spi;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code Nightshift.Builder} finds what it was not given: the runtime, the agent store, the
 * secret provider and the local secret store's KMS (each: system property or environment
 * variable, then {@link java.util.ServiceLoader}, through {@link Spi}), the default state
 * directory and executor, and the store's id.
 *
 * <p><b>Thread-safety:</b> stateless.
 */
public final class EngineDiscovery {
    private static final Logger log = LoggerFactory.getLogger(Nightshift.class);

    private EngineDiscovery() {
    }

    /** The runtime named by {@code nightshift.runtime} / {@code NIGHTSHIFT_RUNTIME} or found by ServiceLoader; else a clear error. */
    public static MachineRuntime runtime() {
        List<String> tried = new ArrayList<>();
        return Spi.find(MachineRuntime.class, "nightshift.runtime", "NIGHTSHIFT_RUNTIME", tried).orElseThrow(() ->
                new EnvironmentUnavailableException("no Nightshift runtime could be found; tried:\n  "
                        + String.join("\n  ", tried) + "\nadd nightshift-sdk-docker to the classpath or set one with"
                        + " Nightshift.builder().runtime(...)"));
    }

    /** The store named by {@code nightshift.store} / {@code NIGHTSHIFT_STORE} or found by ServiceLoader, if any. */
    public static Optional<AgentStore> store(Path stateDirectory) {
        List<String> tried = new ArrayList<>();
        Optional<AgentStore> store = Spi.find(AgentStore.class, "nightshift.store", "NIGHTSHIFT_STORE", tried);
        if (store.isEmpty()) {
            log.debug("no AgentStore configured ({}): files in {}", String.join("; ", tried), stateDirectory);
        }
        return store;
    }

    /** The secret provider named by {@code nightshift.secrets} / {@code NIGHTSHIFT_SECRETS} or found by ServiceLoader, if any. */
    public static Optional<SecretProvider> secretProvider() {
        List<String> tried = new ArrayList<>();
        Optional<SecretProvider> found = Spi.find(SecretProvider.class, "nightshift.secrets", "NIGHTSHIFT_SECRETS", tried);
        if (found.isEmpty()) {
            log.debug("no SecretProvider configured ({}): the local secret store of the state directory,"
                    + " when it exists", String.join("; ", tried));
        }
        return found;
    }

    /**
     * Opens the local secret store of {@code stateDirectory}. Its keys: a Kms named by
     * {@code nightshift.kms} / {@code NIGHTSHIFT_KMS} or found by ServiceLoader (a cloud KMS), else
     * the local key file or {@code NIGHTSHIFT_KMS_KEY}.
     */
    public static SecretStore localSecretStore(Path stateDirectory) {
        List<String> tried = new ArrayList<>();
        Kms kms = Spi.find(Kms.class, "nightshift.kms", "NIGHTSHIFT_KMS", tried).orElseGet(() -> {
            log.debug("no Kms configured ({}): the local key file", String.join("; ", tried));
            return LocalKms.openDefault(stateDirectory);
        });
        return SecretStore.open(stateDirectory, kms);
    }

    /** {@code NIGHTSHIFT_HOME}, else {@code ~/.nightshift}. */
    public static Path defaultStateDirectory() {
        String home = System.getenv("NIGHTSHIFT_HOME");
        return home != null && !home.isBlank() ? Path.of(home)
                : Path.of(System.getProperty("user.home"), ".nightshift");
    }

    /** The engine's own executor for agent work: named daemon threads, made as needed, idle ones gone after 10 s. */
    public static ExecutorService defaultExecutor() {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                Engine.daemon("nightshift-agent"));
    }

    /**
     * A short digest of the store: the label that scopes gc to this store's machines. A store
     * given to the builder ({@code store}, else null) is named by its class and the state directory.
     */
    public static String storeId(AgentStore store, Path stateDirectory) {
        return EnvironmentCache.sha256(store != null ? store.getClass().getName() + "@" + stateDirectory
                : stateDirectory.toAbsolutePath().normalize().toString()).substring(0, 16);
    }
}
