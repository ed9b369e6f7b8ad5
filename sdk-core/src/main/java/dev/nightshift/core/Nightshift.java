package dev.nightshift.core;

import dev.nightshift.api.Agent;
import dev.nightshift.api.AgentDriver;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentQuery;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.ValidationException;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.Page;
import dev.nightshift.api.Environment;
import dev.nightshift.api.SetupSession;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.Runtime;
import dev.nightshift.api.spi.AgentGitCredentials;
import dev.nightshift.api.spi.AgentStore;
import dev.nightshift.api.spi.GitCredentials;
import dev.nightshift.api.spi.SecretContext;
import dev.nightshift.api.spi.SecretProvider;
import dev.nightshift.api.spi.SecretScope;
import dev.nightshift.common.DaemonThreads;
import dev.nightshift.core.internal.ProviderSecretHooks;
import dev.nightshift.secrets.LocalKms;
import dev.nightshift.secrets.SecretStore;
import dev.nightshift.core.internal.AgentActor;
import dev.nightshift.core.internal.AgentHandle;
import dev.nightshift.core.internal.AgentMdc;
import dev.nightshift.core.internal.EngineContext;
import dev.nightshift.core.internal.EnvironmentCache;
import dev.nightshift.core.internal.GitPort;
import dev.nightshift.core.internal.JGitPort;
import dev.nightshift.core.internal.LeaseTakeover;
import dev.nightshift.core.internal.Setups;
import dev.nightshift.core.internal.MachineSlots;
import dev.nightshift.core.internal.SdkSpecPort;
import dev.nightshift.core.internal.SecretHooks;
import dev.nightshift.core.internal.SecretPushGuard;
import dev.nightshift.core.internal.Spi;
import dev.nightshift.api.spi.Kms;
import dev.nightshift.core.internal.UninterruptibleStore;
import dev.nightshift.core.internal.EnvironmentHandle;
import dev.nightshift.core.internal.ImageGc;
import dev.nightshift.core.internal.ReadOnlyAgent;
import dev.nightshift.core.internal.DrivenElsewhereException;
import dev.nightshift.core.internal.RemoteControls;
import dev.nightshift.api.spi.ControlCommand;
import dev.nightshift.api.spi.ControlResult;
import dev.nightshift.core.internal.SpecPort;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: turns a {@link Runtime}, git and {@link AgentDriver}s into background agents.
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
 *     System.out.println(done.branch() + " @ " + done.commit());
 * }
 * }</pre>
 */
public final class Nightshift implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Nightshift.class);
    /** How long an agent's lease lasts (default 2 min; {@code nightshift.lease}, an ISO-8601 duration). */
    private static final Duration LEASE = Duration.parse(System.getProperty("nightshift.lease", "PT2M"));
    /** The least age at which the sweep purges a control from the store's inbox (or twice the control timeout). */
    static final Duration CONTROL_RETENTION = Duration.ofHours(1);

    private final EngineContext context;
    private final boolean ownsExecutor;
    private final boolean ownsStore;
    private final Map<String, AgentActor> actors = new ConcurrentHashMap<>();
    private final Object spawnLock = new Object();
    private final JGitPort git;
    private final SecretPushGuard pushGuard;
    private final SecretProvider secretProvider;
    private final SecretStore ownedSecretStore;
    private final ImageGc images;
    private final Duration imageGracePeriod;
    private final int environmentSnapshotsKept;
    private final boolean hibernateOnClose;
    private final Setups setups;
    private final LeaseTakeover leases;
    private final RemoteControls remoteControls;
    /** Controls sent longer ago than this are purged from the store's inbox (their senders gave up). */
    private final Duration controlRetention;
    private Instant lastControlPurge = Instant.MIN;
    private final Thread controlsServer;
    private volatile boolean closed;

    private Nightshift(Builder b, Runtime runtime, AgentStore store, ExecutorService executor) {
        this.ownsExecutor = b.executor == null;
        this.ownsStore = b.store == null || b.storeDiscovered;
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("nightshift-scheduler"));
        Map<String, AgentDriver> drivers = new LinkedHashMap<>();
        drivers.put(ShellDriver.NAME, new ShellDriver());
        b.drivers.forEach(d -> drivers.put(d.name(), d));
        Path mirrors = b.mirrorDirectory != null ? b.mirrorDirectory : b.stateDirectory().resolve("mirrors");
        this.pushGuard = new SecretPushGuard();
        this.git = new JGitPort(mirrors, b.gitCredentials,
                b.agentGitCredentials != null ? b.agentGitCredentials : AgentGitCredentials.always(b.gitCredentials),
                b.branchPrefix, b.authorName, b.authorEmail, pushGuard);
        SpecPort spec = new SdkSpecPort(b.strictSpec, b.personalConfig, b.teamConfig);
        String owner = ownerName();
        // a store of our own files lives in the state directory: any engine can tell when it is gone
        this.images = new ImageGc(runtime, b.storeId(), b.store == null ? b.stateDirectory() : null);
        this.imageGracePeriod = b.imageGracePeriod;
        this.environmentSnapshotsKept = b.environmentSnapshotsKept;
        this.context = new EngineContext(runtime, this.git, spec, store, Map.copyOf(drivers), executor, scheduler, b.clock,
                b.limits, b.machineLimits, owner, new MachineSlots(b.limits.maxRunningMachines(), store, owner, LEASE),
                new EnvironmentCache(runtime, this.git, b.machineLimits, images.labels(), b.timeouts.buildWait())
                        .egress(b.egress), b.redactor, Map.copyOf(b.machineEnv), b.secretHooks(), pushGuard, b.storeId(),
                b.egress, b.timeouts);
        this.secretProvider = b.secretProvider;
        this.ownedSecretStore = b.ownedSecretStore;
        this.hibernateOnClose = b.hibernateOnClose;
        this.setups = new Setups(context);
        this.leases = new LeaseTakeover(context, actors, spawnLock, LEASE);
        this.remoteControls = new RemoteControls(store, runtime, owner, LEASE, b.controlTimeout);
        Duration twice = b.controlTimeout.multipliedBy(2);
        this.controlRetention = twice.compareTo(CONTROL_RETENTION) > 0 ? twice : CONTROL_RETENTION;
        reattach();
        try {
            removeOrphanMachines(); // what a crashed engine of this store left behind
        } catch (RuntimeException e) {
            log.warn("could not sweep orphaned machines: {}", e.toString());
        }
        scheduler.scheduleWithFixedDelay(this::sweep, b.sweepInterval.toMillis(), b.sweepInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        if (store.supportsControls()) {
            controlsServer = daemon("nightshift-controls").newThread(this::serveControls);
            controlsServer.start();
        } else {
            controlsServer = null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Spawns an agent; returns at once with it in {@code CREATING}. */
    public Agent spawn(AgentRequest request) {
        return spawn(request, List.of());
    }

    /**
     * Spawns an agent with secrets of its own (scope {@code AGENT}: they override user, team and
     * environment secrets of the same name, are stored encrypted, and are deleted with the agent).
     * Needs a {@link SecretStore} as the
     * {@linkplain Builder#secretProvider secret provider}.
     */
    public Agent spawn(AgentRequest request, List<AgentSecret> agentSecrets) {
        checkOpen();
        validateDriver(request);
        String id = request.id() != null ? request.id() : "bc-" + UUID.randomUUID();
        if (!agentSecrets.isEmpty()) {
            if (!(secretProvider instanceof SecretStore store)) {
                throw new IllegalStateException("per-agent secrets need a SecretStore as the secret provider"
                        + " (Nightshift.builder().secretProvider(SecretStore.open(...)))");
            }
            if (context.store().get(id).isEmpty()) {
                for (AgentSecret s : agentSecrets) {
                    store.set(SecretScope.AGENT, id, s.name(), s.kind(), s.value());
                }
            }
        }
        AgentRequest normalized = request.withId(id);
        synchronized (spawnLock) {
            Optional<AgentInfo> existing = context.store().get(id);
            if (existing.isPresent()) {
                if (existing.get().request().equals(normalized)) {
                    return handle(id);
                }
                throw new ConflictException("agent " + id + " already exists with a different request");
            }
            if (!context.store().acquireLease(id, context.owner(), LEASE)) {
                throw new ConflictException("agent " + id + " is driven by another engine");
            }
            AgentInfo info = AgentInfo.creating(id, normalized, context.clock().instant());
            context.store().put(info);
            AgentActor actor = new AgentActor(context, info);
            actors.put(id, actor);
            try (AgentMdc m = AgentMdc.of(id)) {
                actor.begin();
            }
        }
        return handle(id);
    }

    /**
     * The request's driver exists and accepts it ({@link AgentDriver#validate}): an unknown driver,
     * an unknown model or a missing key fails the spawn, before anything is built or stored.
     */
    private void validateDriver(AgentRequest request) {
        AgentDriver driver = context.drivers().get(request.driver());
        if (driver == null) {
            throw new ValidationException("no driver named '" + request.driver() + "'; known: "
                    + new java.util.TreeSet<>(context.drivers().keySet())
                    + " (register one with Nightshift.builder().driver(...))");
        }
        driver.validate(request);
    }

    /** The agent with {@code id}, if it exists (tombstones included). */
    public Optional<Agent> get(String id) {
        AgentActor known = actors.get(id);
        if (known != null && known.isDeleted()) {
            actors.remove(id, known);
        }
        if (actors.containsKey(id) || context.store().get(id).isPresent()) {
            return Optional.of(handle(id));
        }
        return Optional.empty();
    }

    /** The agent with {@code id}; {@link NotFoundException} when there is none. */
    public Agent agent(String id) {
        return get(id).orElseThrow(() -> new NotFoundException("no agent with id " + id));
    }

    /** A page of agents, newest first. */
    public Page<AgentInfo> list(AgentQuery query) {
        return context.store().list(query);
    }

    /**
     * The environment of {@code repository} at {@code ref} (null: the default branch): the spec in
     * force there, its cache key and snapshot, and {@link Environment#prepare} to build it ahead
     * of the first agent. Fetches the repository into the host mirror.
     */
    public Environment environment(String repository, String ref) {
        checkOpen();
        return new EnvironmentHandle(context, repository, ref);
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
        checkOpen();
        return setups.start(repository, ref, line -> log.info("{}", line));
    }

    /** The running setups of this state directory, oldest first. */
    public List<SetupSession> setups() {
        checkOpen();
        return setups.list();
    }

    /** The running setup {@code setupId}; {@link NotFoundException} when there is none. */
    public SetupSession setupSession(String setupId) {
        checkOpen();
        return setups.get(setupId);
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
        checkOpen();
        int machines = removeOrphanMachines();
        int expired = expire(context.clock().instant());
        ImageGc.Result r = collectImages(context.clock().instant());
        return new GcReport(machines, r.snapshots(), expired, r.images());
    }

    private ImageGc.Result collectImages(Instant cutoff) {
        return images.collect(cutoff, environmentSnapshotsKept, id -> actors.containsKey(id)
                ? Optional.of(actors.get(id).info()) : context.store().get(id));
    }

    /** Removes this store's machines whose agent is gone or final; returns how many. */
    private int removeOrphanMachines() {
        int removed = 0;
        for (MachineInfo m : context.runtime().machines(Map.of(AgentActor.LABEL_STORE, context.storeId()))) {
            String agentId = m.labels().get(AgentActor.LABEL_AGENT);
            if (agentId == null || actors.containsKey(agentId)) {
                continue;
            }
            Optional<AgentInfo> a = context.store().get(agentId);
            if (a.isEmpty() || a.get().status().isFinal()) {
                context.runtime().attach(m.id()).ifPresent(Machine::close);
                log.info("removed machine {} of {} agent {}", m.id(), a.isEmpty() ? "deleted" : "final", agentId);
                removed++;
            }
        }
        return removed;
    }

    private Agent handle(String id) {
        return new AgentHandle(id, this::actor, this::readOnly, remoteControls);
    }

    /**
     * Runs the controls other engines send for the agents this one drives (the store's inbox),
     * until the engine closes. Each runs on the executor through the same path as a local call.
     */
    private void serveControls() {
        while (!closed) {
            List<ControlCommand> commands;
            try {
                commands = context.store().claimControls(actors.keySet(), Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("reading the control inbox failed: {}", e.toString());
                try {
                    TimeUnit.SECONDS.sleep(1); // back off before reading it again
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            for (ControlCommand c : commands) {
                try {
                    context.executor().execute(() -> runControl(c));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    answer(ControlResult.failed(c, RemoteControls.ENGINE_CLOSED, "the engine is closing"));
                }
            }
        }
    }

    /** Runs a control another engine sent, through the agent's own public path, and records what came of it. */
    private void runControl(ControlCommand c) {
        if (closed) {
            answer(ControlResult.failed(c, RemoteControls.ENGINE_CLOSED, "the engine is closing"));
            return;
        }
        Agent agent = new AgentHandle(c.agentId(), this::actor, this::readOnly); // never forwards again
        ControlResult result;
        try {
            String value = null;
            switch (c.action()) {
                case "followUp" -> agent.followUp(c.argument());
                case "stop" -> agent.stop();
                case "cancel" -> agent.cancel();
                case "takeOver" -> value = RemoteControls.encode(c.argument() != null ? agent.takeOver(c.argument())
                        : agent.takeOver());
                case "handBack" -> agent.handBack();
                case "promoteSnapshot" -> value = agent.promoteSnapshot();
                case "delete" -> agent.delete();
                case "updateEgress" -> agent.updateEgress(
                        dev.nightshift.core.internal.egress.EgressOverride.decode(c.argument()));
                default -> throw new ValidationException("unknown control '" + c.action() + "'");
            }
            result = ControlResult.ok(c, value);
        } catch (RuntimeException e) {
            if (!(e instanceof dev.nightshift.api.NightshiftException) && !(e instanceof IllegalArgumentException)
                    && !(e instanceof IllegalStateException)) {
                log.warn("{} on agent {} for another engine failed unexpectedly", c.action(), c.agentId(), e);
            }
            result = ControlResult.failed(c, RemoteControls.kind(e), e.getMessage());
        }
        log.info("ran {} on agent {} for another engine: {}", c.action(), c.agentId(),
                result.succeeded() ? "done" : result.error() + ": " + result.message());
        answer(result);
    }

    private void answer(ControlResult r) {
        try {
            context.store().completeControl(r);
        } catch (RuntimeException e) {
            log.warn("could not record the result of control {} on agent {}: {}", r.commandId(), r.agentId(), e.toString());
        }
    }

    /** A view of an agent another engine drives: reads from the store, refuses controls. */
    private Agent readOnly(String id) {
        return new ReadOnlyAgent(id, context.store());
    }

    private AgentActor actor(String id) {
        AgentActor a = actors.get(id);
        if (a != null && !a.isDeleted()) {
            return a;
        }
        if (a != null) {
            actors.remove(id, a);
        }
        // an agent this engine does not drive yet (from before a restart, or let go by another
        // engine): take its lease, then read it afresh and adopt its machine if it lives
        synchronized (spawnLock) {
            return actors.computeIfAbsent(id, k -> {
                if (context.store().get(id).isEmpty()) {
                    throw new NotFoundException("no agent with id " + id);
                }
                if (!context.store().acquireLease(id, context.owner(), LEASE)) {
                    throw new DrivenElsewhereException("agent " + id + " is driven by another engine"
                            + (context.store().supportsControls() ? "" : " and the store carries no controls between"
                            + " engines; it lets go when the agent's turn ends"));
                }
                AgentInfo info = context.store().get(id).orElseThrow(() -> new NotFoundException("no agent with id " + id));
                AgentActor actor = new AgentActor(context, info);
                if (info.machineId() != null && !info.status().isFinal()) {
                    context.runtime().attach(info.machineId()).ifPresent(m -> actor.adopt(m, null, null));
                }
                return actor;
            });
        }
    }

    /** Reattaches agents a previous engine left: adopt live machines, report the rest. */
    private void reattach() {
        String cursor = null;
        do {
            Page<AgentInfo> page = context.store().list(AgentQuery.all().withLimit(1000).withCursor(cursor));
            for (AgentInfo info : page.items()) {
                if (info.status().isFinal()) {
                    continue;
                }
                boolean active = info.status().isActive();
                boolean hasMachine = info.machineId() != null;
                if (!active && !hasMachine) {
                    continue;
                }
                if (!context.store().acquireLease(info.id(), context.owner(), LEASE)) {
                    continue;
                }
                AgentActor actor = new AgentActor(context, info);
                actors.put(info.id(), actor);
                Optional<Machine> machine = hasMachine ? context.runtime().attach(info.machineId()) : Optional.empty();
                if (machine.isPresent()) {
                    actor.adopt(machine.get(), null, null);
                    if (active) {
                        actor.recordWarning("reattached", "the engine restarted while the agent was " + info.status()
                                + "; its machine " + info.machineId() + " was reattached and the interrupted turn stopped");
                        actor.markError("the engine stopped during " + info.status()
                                + "; the machine lives: send a new agent or take over to continue");
                    }
                } else if (active) {
                    actor.markError("the engine stopped while the agent was " + info.status()
                            + (hasMachine ? " and its machine " + info.machineId() + " is gone" : ""));
                }
            }
            cursor = page.next();
        } while (cursor != null);
    }

    private void sweep() {
        try {
            Instant now = context.clock().instant();
            for (AgentActor a : actors.values()) {
                try (AgentMdc m = AgentMdc.of(a.id())) {
                    if (!leases.renew(a)) {
                        continue; // another engine took it over
                    }
                    a.hibernateIfIdle(now);
                } catch (RuntimeException e) {
                    log.warn("sweep of agent {} failed: {}", a.id(), e.toString());
                }
            }
            leases.takeOverExpired(); // agents whose engine died
            try {
                context.machineSlots().renewAll();
            } catch (RuntimeException e) {
                log.warn("renewing the running-machine slots failed: {}", e.toString());
            }
            expire(now);
            purgeControls();
            if (!imageGracePeriod.isNegative()) {
                collectImages(now.minus(imageGracePeriod));
            }
        } catch (RuntimeException e) {
            log.warn("sweep failed: {}", e.toString());
        }
    }

    /** At most once a minute: drops controls older than {@link #controlRetention} (wall clock, as they are sent). */
    private void purgeControls() {
        Instant now = Instant.now();
        if (Duration.between(lastControlPurge, now).compareTo(Duration.ofMinutes(1)) < 0) {
            return;
        }
        lastControlPurge = now;
        int purged = context.store().purgeControls(now.minus(controlRetention));
        if (purged > 0) {
            log.info("purged {} control(s) older than {} from the store's inbox", purged, controlRetention);
        }
    }

    /** Purges agents untouched for longer than the retention window, leaving a tombstone. */
    private int expire(Instant now) {
        Instant cutoff = now.minus(context.limits().retention());
        String cursor = null;
        List<AgentInfo> old = new ArrayList<>();
        do {
            Page<AgentInfo> page = context.store().list(AgentQuery.all().withLimit(1000).withCursor(cursor));
            page.items().stream().filter(i -> !i.status().equals(AgentStatus.EXPIRED) && !i.status().isActive()
                    && i.updatedAt().isBefore(cutoff)).forEach(old::add);
            cursor = page.next();
        } while (cursor != null);
        int expired = 0;
        for (AgentInfo info : old) {
            if (!context.store().acquireLease(info.id(), context.owner(), LEASE)) {
                continue;
            }
            AgentActor a = actors.get(info.id());
            if (a == null || a.isDeleted()) {
                a = new AgentActor(context, info);
            }
            try (AgentMdc m = AgentMdc.of(info.id())) {
                if (a.expire(cutoff)) { // the actor now stands for the tombstone
                    expired++;
                }
            }
        }
        return expired;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Nightshift engine is closed");
        }
    }

    /**
     * Stops taking work; running machines stay for a later engine to reattach, or, when the
     * engine was built with {@link Builder#hibernateOnClose(boolean) hibernateOnClose}, are
     * hibernated (all but those a human has taken over).
     */
    @Override
    public void close() {
        shutdown(false);
    }

    /** Stops taking work and removes every machine this engine drives. */
    public void closeAndRemoveMachines() {
        shutdown(true);
    }

    private synchronized void shutdown(boolean removeMachines) {
        if (closed) {
            return;
        }
        closed = true;
        context.scheduler().shutdownNow();
        AgentActor.Detach what = removeMachines ? AgentActor.Detach.REMOVE
                : hibernateOnClose ? AgentActor.Detach.HIBERNATE : AgentActor.Detach.KEEP;
        for (AgentActor a : actors.values()) {
            try {
                a.detach(what);
                context.store().releaseLease(a.id(), context.owner());
            } catch (RuntimeException e) {
                log.warn("closing agent {}: {}", a.id(), e.toString());
            }
        }
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

    private static String ownerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ThreadFactory daemon(String prefix) {
        return DaemonThreads.numbered(prefix + "-");
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
        private Runtime runtime;
        private GitCredentials gitCredentials = GitCredentials.NONE;
        private AgentGitCredentials agentGitCredentials;
        private final List<AgentDriver> drivers = new ArrayList<>();
        private AgentStore store;
        private Path stateDirectory;
        private Path mirrorDirectory;
        private ExecutorService executor;
        private Clock clock = Clock.systemUTC();
        private Limits limits = Limits.DEFAULT;
        private ResourceLimits machineLimits = ResourceLimits.DEFAULT;
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

        public Builder runtime(Runtime value) { runtime = value; return this; }
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
        public Builder limits(Limits value) { limits = Objects.requireNonNull(value); return this; }
        /** How long the engine waits for its own work to end (default {@link Timeouts#DEFAULT}). */
        public Builder timeouts(Timeouts value) { timeouts = Objects.requireNonNull(value); return this; }
        public Builder machineLimits(ResourceLimits value) { machineLimits = Objects.requireNonNull(value); return this; }
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
         * {@link Nightshift#spawn(AgentRequest, List)}. Default: the local store in the state
         * directory ({@code secrets/}, keys from {@code NIGHTSHIFT_KMS_KEY} or {@code keys/}) when
         * it exists, else none.
         */
        public Builder secretProvider(SecretProvider value) { secretProvider = Objects.requireNonNull(value); return this; }
        /** The user and team whose secrets agents of this engine see (default: the OS user, no team). */
        public Builder secretContext(SecretContext value) { secretContext = Objects.requireNonNull(value); return this; }

        SecretProvider secretProvider() {
            if (secretProvider == null) {
                // nightshift.secrets / NIGHTSHIFT_SECRETS, then ServiceLoader, then the local store
                List<String> tried = new ArrayList<>();
                secretProvider = Spi.find(SecretProvider.class, "nightshift.secrets", "NIGHTSHIFT_SECRETS", tried)
                        .orElse(null);
                if (secretProvider == null) {
                    log.debug("no SecretProvider configured ({}): the local secret store of the state directory,"
                            + " when it exists", String.join("; ", tried));
                }
            }
            if (secretProvider == null && Files.isDirectory(stateDirectory().resolve("secrets"))) {
                // the local store's keys: a Kms named by nightshift.kms / NIGHTSHIFT_KMS or found by
                // ServiceLoader (a cloud KMS), else the local key file or NIGHTSHIFT_KMS_KEY
                List<String> tried = new ArrayList<>();
                Kms kms = Spi.find(Kms.class, "nightshift.kms", "NIGHTSHIFT_KMS", tried).orElseGet(() -> {
                    log.debug("no Kms configured ({}): the local key file", String.join("; ", tried));
                    return LocalKms.openDefault(stateDirectory());
                });
                ownedSecretStore = SecretStore.open(stateDirectory(), kms);
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
            return EnvironmentCache.sha256(store != null ? store.getClass().getName() + "@" + stateDirectory()
                    : stateDirectory().toAbsolutePath().normalize().toString()).substring(0, 16);
        }

        SecretHooks secretHooks() {
            SecretProvider p = secretProvider();
            return p == null ? SecretHooks.NONE : new ProviderSecretHooks(p, secretContext);
        }

        Path stateDirectory() {
            if (stateDirectory != null) {
                return stateDirectory;
            }
            String home = System.getenv("NIGHTSHIFT_HOME");
            return home != null && !home.isBlank() ? Path.of(home)
                    : Path.of(System.getProperty("user.home"), ".nightshift");
        }

        public Nightshift build() {
            Runtime rt = runtime != null ? runtime : discoverRuntime();
            if (store == null) {
                // nightshift.store / NIGHTSHIFT_STORE, then ServiceLoader, then files in the state directory
                List<String> tried = new ArrayList<>();
                store = Spi.find(AgentStore.class, "nightshift.store", "NIGHTSHIFT_STORE", tried).orElse(null);
                storeDiscovered = store != null;
                if (store == null) {
                    log.debug("no AgentStore configured ({}): files in {}", String.join("; ", tried), stateDirectory());
                }
            }
            AgentStore st = new UninterruptibleStore(store != null ? store : FileAgentStore.open(stateDirectory(), clock));
            ExecutorService ex = executor != null ? executor : new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS,
                    new java.util.concurrent.SynchronousQueue<>(), daemon("nightshift-agent")); // idle threads go after 10 s
            return new Nightshift(this, rt, st, ex);
        }

        private static Runtime discoverRuntime() {
            List<String> tried = new ArrayList<>();
            return Spi.find(Runtime.class, "nightshift.runtime", "NIGHTSHIFT_RUNTIME", tried).orElseThrow(() ->
                    new EnvironmentUnavailableException("no Nightshift runtime could be found; tried:\n  "
                            + String.join("\n  ", tried) + "\nadd nightshift-sdk-docker to the classpath or set one with"
                            + " Nightshift.builder().runtime(...)"));
        }
    }
}
