package dev.nightshift.core;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.Environment;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Page;
import dev.nightshift.api.SetupSession;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.core.internal.ProviderSecretHooks;
import dev.nightshift.core.internal.SecretHooks;
import dev.nightshift.core.internal.UninterruptibleStore;
import dev.nightshift.core.internal.engine.Engine;
import dev.nightshift.core.internal.engine.EngineDiscovery;
import dev.nightshift.core.internal.engine.EngineSettings;
import dev.nightshift.secrets.SecretStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;

/**
 * The engine: turns a {@link MachineRuntime}, git and {@link AgentDriver}s into background agents.
 *
 * <p>{@link #spawn(AgentRequest)} returns at once with the agent in {@code CREATING}; the work
 * (fetch into the host mirror, read environment.json at the source commit, build or reuse the
 * environment snapshot, start a machine, check out the agent's branch, {@code install},
 * {@code start}, terminals, then the driver's turn and the handoff) runs on the engine's
 * executor. Records, events and conversations persist in the {@link AgentStore}; a new engine
 * on the same state sees every agent and reattaches those whose machine still lives. Engines in
 * other processes may share the store: the one holding an agent's lease drives it, and a control
 * on it from another engine (follow-up, stop, cancel, take-over, hand-back, promotion, delete)
 * travels through the store's control inbox to the driving engine, which runs it and answers
 * (see {@link Builder#controlTimeout(Duration)}).
 *
 * <p><b>Thread-safety:</b> thread-safe; share one engine per process and state directory.
 * <b>Lifecycle:</b> built by {@link #builder()}; {@link #close()} stops taking work, interrupts
 * running turns and leaves machines running for a later engine to reattach;
 * {@link #closeAndRemoveMachines()} removes them as well. Both are idempotent.
 *
 * <pre>{@code
 * try (Nightshift nightshift = Nightshift.builder()
 *         .runtime(DockerRuntime.builder().build())
 *         .stateDirectory(Path.of(System.getProperty("user.home"), ".nightshift"))
 *         .build()) {
 *     Agent agent = nightshift.spawn(AgentRequest.builder("echo hi > hi.txt", "file:///srv/git/app.git").build());
 *     AgentInfo done = agent.awaitStatus(AgentStatus.FINISHED, Duration.ofMinutes(10));
 *     System.out.println(done.branch().orElseThrow() + " @ " + done.commit().orElseThrow());
 * }
 * }</pre>
 *
 * <p>This class is the public face; the engine's parts live in {@code core.internal.engine}:
 * {@code Engine} (wiring and shutdown), {@code AgentRegistry} (the agents this engine drives),
 * {@code Sweeper} (housekeeping and {@link #gc()}), {@code ControlServer} (controls from other
 * engines) and {@code EngineDiscovery} (what the builder finds by itself).
 */
public final class Nightshift implements AutoCloseable {
    private final Engine engine;
    /** What the builder was given, before build() found anything itself: newBuilder()'s start. */
    private final Builder configuration;

    private Nightshift(Engine engine, Builder configuration) {
        this.engine = engine;
        this.configuration = configuration;
    }

    /** A builder of an engine; see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A new builder holding this engine's configuration, to build another engine that differs in
     * a few settings (OkHttp's {@code newBuilder()}): {@code engine.newBuilder().limits(...).build()}.
     * What was given to this engine's builder is shared, not copied: the same runtime, store,
     * executor, drivers and secret provider objects. What this engine found by itself (a runtime
     * or store from discovery, the store files it opened in the state directory) is found again by
     * the new engine's {@code build()}, so two engines never share an object only one of them
     * owns. This engine is not changed.
     */
    public Builder newBuilder() {
        return configuration.copy();
    }

    /**
     * Spawns an agent; returns at once with it in {@code CREATING}. The request's own secrets
     * ({@link AgentRequest.Builder#secret}: scope {@code AGENT}, they override user, team and
     * environment secrets of the same name) are taken out of it before anything is recorded,
     * stored encrypted, and deleted with the agent; they need a {@link SecretStore} as the
     * {@linkplain Builder#secretProvider secret provider}. A repeated spawn of an existing id
     * compares the requests without their secrets and leaves the stored ones as they are.
     */
    public Agent spawn(AgentRequest request) {
        return engine.spawn(request);
    }

    /**
     * Spawns an agent with secrets of its own, given beside the request.
     *
     * @deprecated give them in the request: {@link AgentRequest.Builder#secret}; this adds
     *     {@code agentSecrets} to the request's and calls {@link #spawn(AgentRequest)}
     */
    @Deprecated
    public Agent spawn(AgentRequest request, List<AgentSecret> agentSecrets) {
        return spawn(request.toBuilder().secrets(agentSecrets.stream()
                .map(s -> new AgentRequest.Secret(s.name(), s.kind(), s.value())).toList()).build());
    }

    /** The agent with {@code id}, if it exists (tombstones included). */
    public Optional<Agent> get(String id) {
        return engine.get(id);
    }

    /** The agent with {@code id}; {@link NotFoundException} when there is none. */
    public Agent agent(String id) {
        return get(id).orElseThrow(() -> new NotFoundException("no agent with id " + id));
    }

    /** A page of agents, newest first. */
    public Page<AgentInfo> list(AgentQuery query) {
        return engine.store().list(query);
    }

    /**
     * The environment of {@code repository} at {@code ref} (null: the default branch): the spec in
     * force there, its cache key and snapshot, and {@link Environment#prepare} to build it ahead
     * of the first agent. Fetches the repository into the host mirror.
     */
    public Environment environment(String repository, String ref) {
        return engine.environment(repository, ref);
    }

    /**
     * Starts the manual setup of {@code repository}'s environment: a machine from the
     * environment's base (snapshot &gt; build &gt; image &gt; default) at {@code ref} (null: the default
     * branch), with the repository checked out in the workspace and no agent attached. A person
     * attaches ({@link SetupSession#attach()}), sets the machine up, and
     * {@link SetupSession#snapshot(String)} saves its disk as a snapshot for environment.json.
     * The machine runs until {@link SetupSession#close()}, also after this engine closes.
     */
    public SetupSession setup(String repository, String ref) {
        return engine.setup(repository, ref);
    }

    /** The running setups of this state directory, oldest first. */
    public List<SetupSession> setups() {
        return engine.setups();
    }

    /** The running setup {@code setupId}; {@link NotFoundException} when there is none. */
    public SetupSession setupSession(String setupId) {
        return engine.setupSession(setupId);
    }

    /**
     * What {@link #gc()} removed.
     *
     * @param imagesRemoved Dockerfile builds (environment bases) removed
     */
    public record GcReport(int machinesRemoved, int snapshotsRemoved, int agentsExpired, int imagesRemoved) {
        /** A report without images. */
        public GcReport(int machinesRemoved, int snapshotsRemoved, int agentsExpired) {
            this(machinesRemoved, snapshotsRemoved, agentsExpired, 0);
        }
    }

    /**
     * Sweeps leftovers now, without the grace period of the periodic sweep. Machines are labelled
     * with their store, so other state directories' agents on the same engine are never touched:
     * machines of this store's agents that no longer exist or are final, agents past the retention
     * window, and images nothing references: snapshots of agents that no longer exist or are final,
     * environment snapshots beyond the newest {@linkplain Builder#environmentSnapshotsKept kept}
     * per environment (the newest, the one in force, always stays), Dockerfile builds no snapshot
     * is built on, and every image of a store (state directory) on this host that no longer exists.
     * Images of live stores other than this one are never touched.
     */
    public GcReport gc() {
        return engine.gc();
    }

    /**
     * Stops taking work; running machines stay for a later engine to reattach, or, when the
     * engine was built with {@link Builder#hibernateOnClose(boolean) hibernateOnClose}, are
     * hibernated (all but those a human has taken over).
     */
    @Override
    public void close() {
        engine.shutdown(false);
    }

    /** Stops taking work and removes every machine this engine drives. */
    public void closeAndRemoveMachines() {
        engine.shutdown(true);
    }

    /**
     * Builds a {@link Nightshift}. Only the state directory (or a store) is required; the runtime
     * is found by explicit setting, then the {@code nightshift.runtime} system property or
     * {@code NIGHTSHIFT_RUNTIME} environment variable (a class name), then {@link ServiceLoader}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> one {@link #build()} per
     * builder is typical; the built engine owns the executor and store it created itself.
     */
    public static final class Builder {
        private MachineRuntime runtime;
        private GitCredentials gitCredentials = GitCredentials.NONE;
        private AgentGitCredentials agentGitCredentials;
        private final List<AgentDriver> drivers = new ArrayList<>();
        private AgentStore store;
        private Path stateDirectory;
        private Path mirrorDirectory;
        private ExecutorService executor;
        private Clock clock = Clock.systemUTC();
        private Limits limits = Limits.DEFAULT;
        private String branchPrefix = "nightshift";
        private String authorName = "Nightshift Agent";
        private String authorEmail = "agent@nightshift.invalid";
        private boolean strictSpec;
        private String personalConfig;
        private String teamConfig;
        private UnaryOperator<String> redactor = UnaryOperator.identity();
        private final Map<String, String> machineEnv = new LinkedHashMap<>();
        private Duration sweepInterval = Duration.ofSeconds(30);
        private SecretProvider secretProvider;
        private SecretContext secretContext = SecretContext.of(System.getProperty("user.name"));
        private SecretStore ownedSecretStore;
        private boolean storeDiscovered;
        private Duration imageGracePeriod = Duration.ofDays(1);
        private int environmentSnapshotsKept = 3;
        private boolean hibernateOnClose;
        private Timeouts timeouts = Timeouts.DEFAULT;
        private Duration controlTimeout = Duration.ofMinutes(2);
        private EgressSettings egress = EgressSettings.UNRESTRICTED;

        private Builder() {
        }

        public Builder runtime(MachineRuntime value) { runtime = value; return this; }
        /**
         * The network policy of agents' machines per phase: defaults and maxima environment.json
         * can only narrow ({@link EgressSettings#UNRESTRICTED} when unset).
         */
        public Builder egress(EgressSettings value) { egress = Objects.requireNonNull(value); return this; }
        /**
         * Git credentials (default none): of the engine's own fetches ({@link #environment},
         * setups) and, unless {@link #agentGitCredentials} is set, of every agent.
         */
        public Builder gitCredentials(GitCredentials value) { gitCredentials = Objects.requireNonNull(value); return this; }
        /**
         * Per-agent git credentials (default: {@link #gitCredentials} for every agent): chosen from
         * the agent's stored request (e.g. an owner label), so an engine serving several owners
         * fetches and pushes each agent's repository, submodules and {@code repositoryDependencies}
         * with that agent's owner's credentials only, after a restart too.
         */
        public Builder agentGitCredentials(AgentGitCredentials value) {
            agentGitCredentials = Objects.requireNonNull(value);
            return this;
        }
        public Builder driver(AgentDriver value) { drivers.add(Objects.requireNonNull(value)); return this; }
        public Builder store(AgentStore value) { store = value; return this; }
        /** Where records, logs and mirrors live (default {@code ~/.nightshift}, or {@code NIGHTSHIFT_HOME}). */
        public Builder stateDirectory(Path value) { stateDirectory = value; return this; }
        public Builder mirrorDirectory(Path value) { mirrorDirectory = value; return this; }
        /** An executor for agent work; the engine does not shut down one it was given. */
        public Builder executor(ExecutorService value) { executor = value; return this; }
        public Builder clock(Clock value) { clock = Objects.requireNonNull(value); return this; }
        /**
         * The engine's limits (default {@link Limits#DEFAULT}), the machines' CPU, memory and
         * processes among them ({@link Limits#withMachine}).
         */
        public Builder limits(Limits value) { limits = Objects.requireNonNull(value); return this; }
        /** How long the engine waits for its own work to end (default {@link Timeouts#DEFAULT}). */
        public Builder timeouts(Timeouts value) { timeouts = Objects.requireNonNull(value); return this; }
        /**
         * Sets the machine limits of the limits set so far; a later {@link #limits} replaces them.
         *
         * @deprecated use {@code limits(limits.withMachine(value))}: one limits type
         */
        @Deprecated
        public Builder machineLimits(ResourceLimits value) { return limits(limits.withMachine(value)); }
        public Builder branchPrefix(String value) { branchPrefix = Objects.requireNonNull(value); return this; }
        public Builder gitAuthor(String name, String email) { authorName = name; authorEmail = email; return this; }
        /** Strict environment.json: every warning is an error. */
        public Builder strictSpec(boolean value) { strictSpec = value; return this; }
        /** A saved personal environment.json, used when the repository has none. */
        public Builder personalConfig(String json) { personalConfig = json; return this; }
        /** A saved team environment.json, used when neither the repository nor a personal one has one. */
        public Builder teamConfig(String json) { teamConfig = json; return this; }
        /** Applied to all text recorded (events, logs, conversation, commit messages). */
        public Builder redactor(UnaryOperator<String> value) { redactor = Objects.requireNonNull(value); return this; }
        /** Environment variables of every agent machine. */
        public Builder machineEnv(String name, String value) { machineEnv.put(name, value); return this; }
        /** How often idle machines and expired agents are swept (default 30 s). */
        public Builder sweepInterval(Duration value) { sweepInterval = Objects.requireNonNull(value); return this; }

        /**
         * How old an image nothing references must be before the periodic sweep removes it
         * (default 1 day; {@link Nightshift#gc()} does not wait). A negative value turns the
         * sweep of images off.
         */
        public Builder imageGracePeriod(Duration value) { imageGracePeriod = Objects.requireNonNull(value); return this; }

        /**
         * How many environment snapshots (built and promoted) to keep per environment (repository)
         * of this store, newest first (default 3; at least 1: the newest is the one in force).
         */
        public Builder environmentSnapshotsKept(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("environmentSnapshotsKept must be at least 1, was " + value);
            }
            environmentSnapshotsKept = value;
            return this;
        }

        /**
         * Whether {@link Nightshift#close()} hibernates the machines of the agents this engine
         * drives, once their interrupted turn has ended (a taken-over machine stays with its
         * human). Default false: machines stay running for the next engine, whose sweep applies
         * {@link Limits#idleHibernateAfter()}. Short-lived processes (the CLI) set it, so no
         * machine outlives the process that drove it; a follow-up restores it from the snapshot.
         */
        public Builder hibernateOnClose(boolean value) { hibernateOnClose = value; return this; }

        /**
         * How long a control on an agent another engine drives (a process sharing the store) waits
         * for that engine to run it (default 2 minutes). Such controls travel through the store's
         * inbox ({@link AgentStore#supportsControls()}) and give the same results and exceptions
         * as local ones; past the timeout a {@link dev.nightshift.api.NightshiftTimeoutException}.
         * Controls left in the inbox by a sender that died are purged by the sweep after an hour
         * (or twice this timeout, when longer).
         */
        public Builder controlTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("controlTimeout must be positive, was " + value);
            }
            controlTimeout = value;
            return this;
        }

        /**
         * Where secrets come from. A {@link SecretStore} also keeps the per-agent secrets given to
         * {@link Nightshift#spawn(AgentRequest)}. Default: the local store in the state
         * directory ({@code secrets/}, keys from {@code NIGHTSHIFT_KMS_KEY} or {@code keys/}) when
         * it exists, else none.
         */
        public Builder secretProvider(SecretProvider value) { secretProvider = Objects.requireNonNull(value); return this; }
        /** The user and team whose secrets agents of this engine see (default: the OS user, no team). */
        public Builder secretContext(SecretContext value) { secretContext = Objects.requireNonNull(value); return this; }

        SecretProvider secretProvider() {
            if (secretProvider == null) {
                // nightshift.secrets / NIGHTSHIFT_SECRETS, then ServiceLoader, then the local store
                secretProvider = EngineDiscovery.secretProvider().orElse(null);
            }
            if (secretProvider == null && Files.isDirectory(stateDirectory().resolve("secrets"))) {
                ownedSecretStore = EngineDiscovery.localSecretStore(stateDirectory());
                secretProvider = ownedSecretStore;
            }
            return secretProvider;
        }

        /** The label value {@link #build()} would give this engine's machines (for tests). */
        String storeIdForTests() {
            return storeId();
        }

        /** A short digest of the state directory: the label that scopes gc to this store's machines. */
        String storeId() {
            return EngineDiscovery.storeId(store, stateDirectory());
        }

        SecretHooks secretHooks() {
            SecretProvider p = secretProvider();
            return p == null ? SecretHooks.NONE : new ProviderSecretHooks(p, secretContext);
        }

        Path stateDirectory() {
            return stateDirectory != null ? stateDirectory : EngineDiscovery.defaultStateDirectory();
        }

        /** A builder with what this one was given (not what {@link #build()} found by itself). */
        Builder copy() {
            Builder b = new Builder();
            b.runtime = runtime;
            b.gitCredentials = gitCredentials;
            b.agentGitCredentials = agentGitCredentials;
            b.drivers.addAll(drivers);
            b.store = storeDiscovered ? null : store;
            b.stateDirectory = stateDirectory;
            b.mirrorDirectory = mirrorDirectory;
            b.executor = executor;
            b.clock = clock;
            b.limits = limits;
            b.branchPrefix = branchPrefix;
            b.authorName = authorName;
            b.authorEmail = authorEmail;
            b.strictSpec = strictSpec;
            b.personalConfig = personalConfig;
            b.teamConfig = teamConfig;
            b.redactor = redactor;
            b.machineEnv.putAll(machineEnv);
            b.sweepInterval = sweepInterval;
            b.secretProvider = ownedSecretStore != null ? null : secretProvider;
            b.secretContext = secretContext;
            b.imageGracePeriod = imageGracePeriod;
            b.environmentSnapshotsKept = environmentSnapshotsKept;
            b.hibernateOnClose = hibernateOnClose;
            b.timeouts = timeouts;
            b.controlTimeout = controlTimeout;
            b.egress = egress;
            return b;
        }

        public Nightshift build() {
            Builder configuration = copy();
            MachineRuntime rt = runtime != null ? runtime : EngineDiscovery.runtime();
            if (store == null) {
                // nightshift.store / NIGHTSHIFT_STORE, then ServiceLoader, then files in the state directory
                store = EngineDiscovery.store(stateDirectory()).orElse(null);
                storeDiscovered = store != null;
            }
            AgentStore st = new UninterruptibleStore(store != null ? store : FileAgentStore.open(stateDirectory(), clock));
            ExecutorService ex = executor != null ? executor : EngineDiscovery.defaultExecutor();
            SecretHooks hooks = secretHooks();
            return new Nightshift(new Engine(new EngineSettings(rt, st, store == null || storeDiscovered, ex,
                    executor == null, drivers, mirrorDirectory != null ? mirrorDirectory : stateDirectory().resolve("mirrors"),
                    gitCredentials, agentGitCredentials, branchPrefix, authorName, authorEmail, strictSpec,
                    personalConfig, teamConfig, storeId(), store == null ? stateDirectory() : null, imageGracePeriod,
                    environmentSnapshotsKept, clock, limits, timeouts, egress, redactor, machineEnv,
                    secretProvider, hooks, ownedSecretStore, hibernateOnClose, sweepInterval, controlTimeout)),
                    configuration);
        }
    }
}
