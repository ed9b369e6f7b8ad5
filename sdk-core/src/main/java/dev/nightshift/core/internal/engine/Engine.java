package dev.nightshift.core.internal.engine;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.Environment;
import dev.nightshift.api.SetupSession;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.core.Nightshift;
import dev.nightshift.core.ShellDriver;
import dev.nightshift.core.internal.AgentActor;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.core.internal.EnvironmentHandle;
import dev.nightshift.core.internal.ImageGc;
import dev.nightshift.core.internal.LeaseTakeover;
import dev.nightshift.core.internal.MachineSlots;
import dev.nightshift.core.internal.RemoteControls;
import dev.nightshift.core.internal.SecretPushGuard;
import dev.nightshift.core.internal.Setups;
import dev.nightshift.core.internal.UninterruptibleStore;
import dev.nightshift.git.GitHost;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.spec.EnvironmentParser;
import dev.nightshift.spec.SpecResolver;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running engine behind {@link Nightshift}: wires its parts from the {@link EngineSettings}
 * (git, spec, machine slots, the environment cache, the {@link EngineContext} every agent shares),
 * then starts them: reattaches the agents a previous engine left ({@link AgentRegistry}), sweeps
 * on a schedule ({@link Sweeper}) and serves the controls other engines send
 * ({@link ControlServer}). {@link #shutdown} detaches every agent and releases what it owns.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> running from construction until
 * {@link #shutdown}; one per {@link Nightshift}. Internal: only {@link Nightshift} uses it.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Nightshift.class);
    /** How long an agent's lease lasts (default 2 min; {@code nightshift.lease}, an ISO-8601 duration). */
    static final Duration LEASE = Duration.parse(System.getProperty("nightshift.lease", "PT2M"));

    private final EngineContext context;
    private final boolean ownsExecutor;
    private final boolean ownsStore;
    private final GitHost git;
    private final SecretProvider secretProvider;
    private final SecretStore ownedSecretStore;
    private final boolean hibernateOnClose;
    private final Setups setups;
    private final AgentRegistry agents;
    private final Sweeper sweeper;
    private volatile boolean closed;

    public Engine(EngineSettings s) {
        this.ownsExecutor = s.ownsExecutor();
        this.ownsStore = s.ownsStore();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("nightshift-scheduler"));
        Map<String, AgentDriver> drivers = new LinkedHashMap<>();
        drivers.put(ShellDriver.NAME, new ShellDriver());
        s.drivers().forEach(d -> drivers.put(d.name(), d));
        SecretPushGuard pushGuard = new SecretPushGuard();
        this.git = GitHost.builder(s.mirrorDirectory()).credentials(s.gitCredentials()).branchPrefix(s.branchPrefix())
                .author(s.authorName(), s.authorEmail()).pushGuard(pushGuard).build();
        AgentGitCredentials agentGit = s.agentGitCredentials() != null ? s.agentGitCredentials()
                : AgentGitCredentials.always(s.gitCredentials());
        SpecResolver spec = specResolver(s.strictSpec(), s.personalConfig(), s.teamConfig());
        String owner = ownerName();
        ImageGc images = new ImageGc(s.runtime(), s.storeId(), s.imageStorePath());
        this.context = new EngineContext(s.runtime(), this.git, agentGit, spec, s.store(), Map.copyOf(drivers), s.executor(),
                scheduler, s.clock(), s.limits(), owner,
                new MachineSlots(s.limits().maxRunningMachines(), s.store(), owner, LEASE),
                new EnvironmentCache(s.runtime(), this.git, s.limits().machine(), images.labels(), s.timeouts().buildWait())
                        .egress(s.egress()), s.redactor(), s.machineEnv(), s.secretHooks(), pushGuard, s.storeId(),
                s.egress(), s.timeouts(), Executors.newCachedThreadPool(daemon("nightshift-control")));
        this.secretProvider = s.secretProvider();
        this.ownedSecretStore = s.ownedSecretStore();
        this.hibernateOnClose = s.hibernateOnClose();
        this.setups = new Setups(context);
        RemoteControls remoteControls = new RemoteControls(s.store(), s.runtime(), owner, LEASE, s.controlTimeout());
        this.agents = new AgentRegistry(context, remoteControls, LEASE);
        LeaseTakeover leases = new LeaseTakeover(context, agents.actors(), agents.spawnLock(), LEASE);
        this.sweeper = new Sweeper(context, agents, leases, images, s.imageGracePeriod(), s.environmentSnapshotsKept(),
                s.controlTimeout(), LEASE);
        agents.reattach();
        try {
            sweeper.removeOrphanMachines(); // what a crashed engine of this store left behind
        } catch (RuntimeException e) {
            log.warn("could not sweep orphaned machines: {}", e.toString());
        }
        scheduler.scheduleWithFixedDelay(sweeper::sweep, s.sweepInterval().toMillis(), s.sweepInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        if (s.store().supportsControls()) {
            daemon("nightshift-controls").newThread(new ControlServer(context, agents, () -> closed)::serve).start();
        }
    }

    /**
     * Spawns an agent; its own secrets ({@link AgentRequest#secrets()}) are taken out of the request
     * before anything is recorded and stored encrypted in scope {@code AGENT} (only when the agent is
     * new); see {@link Nightshift#spawn(AgentRequest)}.
     */
    public Agent spawn(AgentRequest request) {
        checkOpen();
        List<AgentRequest.Secret> agentSecrets = request.secrets();
        AgentRequest plain = request.withoutSecrets();
        validateDriver(plain);
        String id = plain.id().orElseGet(() -> "bc-" + UUID.randomUUID());
        if (!agentSecrets.isEmpty()) {
            if (!(secretProvider instanceof SecretStore store)) {
                throw new IllegalStateException("per-agent secrets need a SecretStore as the secret provider"
                        + " (Nightshift.builder().secretProvider(SecretStore.open(...)))");
            }
            if (context.store().get(id).isEmpty()) {
                for (AgentRequest.Secret s : agentSecrets) {
                    store.set(SecretScope.AGENT, id, s.name(), s.kind(), s.value());
                }
            }
        }
        return agents.spawn(plain.withId(id));
    }

    /**
     * The request's driver exists and accepts it ({@link AgentDriver#validate}): an unknown driver,
     * an unknown model or a missing key fails the spawn, before anything is built or stored.
     */
    private void validateDriver(AgentRequest request) {
        AgentDriver driver = context.drivers().get(request.driver());
        if (driver == null) {
            throw new ValidationException("no driver named '" + request.driver() + "'; known: "
                    + new TreeSet<>(context.drivers().keySet())
                    + " (register one with Nightshift.builder().driver(...))");
        }
        driver.validate(request);
    }

    /** The agent with {@code id}, if it exists (tombstones included). */
    public Optional<Agent> get(String id) {
        return agents.get(id);
    }

    /** The engine's store (wrapped: interrupts cannot break its writes). */
    public AgentStore store() {
        return context.store();
    }

    public Environment environment(String repository, String ref) {
        checkOpen();
        return new EnvironmentHandle(context, repository, ref);
    }

    public SetupSession setup(String repository, String ref) {
        checkOpen();
        return setups.start(repository, ref, line -> log.info("{}", line));
    }

    public List<SetupSession> setups() {
        checkOpen();
        return setups.list();
    }

    public SetupSession setupSession(String setupId) {
        checkOpen();
        return setups.get(setupId);
    }

    /** Sweeps leftovers now, without the grace period of the periodic sweep; see {@link Nightshift#gc()}. */
    public Nightshift.GcReport gc() {
        checkOpen();
        return sweeper.gcNow();
    }

    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Nightshift engine is closed");
        }
    }

    /**
     * Stops taking work and detaches every agent: machines removed ({@code removeMachines}),
     * hibernated (when configured) or left running; then the executor, store, git and secret
     * store this engine owns are closed. Idempotent.
     */
    public synchronized void shutdown(boolean removeMachines) {
        if (closed) {
            return;
        }
        closed = true;
        context.scheduler().shutdownNow();
        AgentActor.Detach what = removeMachines ? AgentActor.Detach.REMOVE
                : hibernateOnClose ? AgentActor.Detach.HIBERNATE : AgentActor.Detach.KEEP;
        for (AgentActor a : agents.actors().values()) {
            try {
                a.detach(what);
                context.store().releaseLease(a.id(), context.owner());
            } catch (RuntimeException e) {
                log.warn("closing agent {}: {}", a.id(), e.toString());
            }
        }
        // the agents' inboxes are empty once every agent is detached; a control still asked drains on its caller
        context.controls().shutdown();
        awaitTermination(context.controls());
        if (ownsExecutor) {
            context.executor().shutdownNow();
            try {
                context.executor().awaitTermination(context.timeouts().shutdownWait().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ((UninterruptibleStore) context.store()).close(ownsStore);
        git.close();
        if (ownedSecretStore != null) {
            ownedSecretStore.close();
        }
    }

    private void awaitTermination(java.util.concurrent.ExecutorService e) {
        try {
            if (!e.awaitTermination(context.timeouts().shutdownWait().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("controls still being applied after {} (Timeouts.shutdownWait)", context.timeouts().shutdownWait());
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The resolver of the spec in force: the repository's file, else the saved personal, else the
     * saved team environment.json (JSON text or null), else defaults.
     */
    private static SpecResolver specResolver(boolean strict, String personal, String team) {
        EnvironmentParser parser = EnvironmentParser.builder().strict(strict).build();
        return SpecResolver.builder().strict(strict)
                .personal(personal == null ? null : parser.parseOrThrow("personal environment.json",
                        personal.getBytes(StandardCharsets.UTF_8)))
                .team(team == null ? null : parser.parseOrThrow("team environment.json", team.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    private static String ownerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Named daemon threads ({@code <prefix>-1}, {@code -2}...). */
    public static ThreadFactory daemon(String prefix) {
        return DaemonThreads.numbered(prefix + "-");
    }
}
