package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.Ports;
import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.ConflictException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.common.DaemonThreads;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code DockerRuntime} does, on one docker-java client.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per runtime; {@link #close()} releases the
 * client and threads, never the machines.
 */
public final class RuntimeCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeCore.class);
    /** PID 1 of every machine: sleeps, reaps orphans, and stops at once on SIGTERM. */
    static final String INIT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";
    private static final Pattern SNAPSHOT_ID = Pattern.compile("snapshot-\\d{8}-[0-9a-f-]{36}");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Settings settings;
    private final Engine engine;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService io;
    private final ExecServers execServers;
    private final EgressProxy egressProxy;
    private final AtomicBoolean reaped = new AtomicBoolean();

    public RuntimeCore(Settings settings) {
        this.settings = settings;
        this.engine = new Engine(settings.dockerHost());
        this.scheduler = Executors.newScheduledThreadPool(1, r -> daemon(r, "nightshift-docker-timer-"));
        this.io = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> daemon(r, "nightshift-docker-io-")); // spare threads go after 10 s
        this.execServers = new ExecServers(this);
        this.egressProxy = new EgressProxy(this, EgressProxy.BASE, settings.egressNetwork());
    }

    private static Thread daemon(Runnable r, String prefix) {
        return DaemonThreads.daemon(r, prefix + THREADS.incrementAndGet());
    }

    public Settings settings() {
        return settings;
    }

    ExecServers execServers() {
        return execServers;
    }

    public Engine engine() {
        return engine;
    }

    public DockerClient client() {
        return engine.client();
    }

    /** Stops exec servers idle for at least {@code idle} now (the timer does it after 30 s). */
    public void retireIdleExecServers(Duration idle) {
        execServers.retireIdle(idle.toMillis());
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    ExecutorService io() {
        return io;
    }

    // ---------------------------------------------------------------- images

    public Image prepareImage(ImageSource source, Consumer<String> output) {
        Consumer<String> sink = output == null ? line -> { } : output;
        if (source instanceof ImageSource.DefaultBase) {
            String ref = settings.baseImage();
            String script = ref.startsWith("nightshift/default:") ? "scripts/default-image" : "scripts/base-image";
            return local(ref).or(() -> tryPull(ref, sink)).orElseThrow(() -> new EnvironmentUnavailableException(
                    "the default base image " + ref + " is neither present in the Docker engine nor pullable; build it"
                            + " offline with " + script + ", or name another with NIGHTSHIFT_BASE_IMAGE or"
                            + " DockerRuntime.builder().baseImage(..)"));
        }
        if (source instanceof ImageSource.Reference r) {
            String ref = r.reference();
            return local(ref).or(() -> tryPull(ref, sink)).orElseThrow(() -> new dev.nightshift.api.NotFoundException(
                    "image " + ref + " is neither present in the Docker engine nor pullable from its registry;"
                            + " check the name, or load it into the engine (docker load / docker build)"));
        }
        if (source instanceof ImageSource.Snapshot s) {
            SnapshotInfo info = findSnapshot(s.snapshotId()).orElseThrow(() -> new dev.nightshift.api.NotFoundException(
                    "no snapshot " + s.snapshotId() + " in the Docker engine (deleted, or taken on another engine)"));
            return new Image(info.imageId(), s.snapshotId(), info.labels());
        }
        if (source instanceof ImageSource.Dockerfile d) {
            return build(d, sink);
        }
        throw new IllegalArgumentException("unknown image source " + source);
    }

    private Optional<Image> local(String ref) {
        try {
            InspectImageResponse r = client().inspectImageCmd(ref).exec();
            Map<String, String> labels = r.getConfig() != null && r.getConfig().getLabels() != null
                    ? r.getConfig().getLabels() : Map.of();
            return Optional.of(new Image(r.getId(), ref, labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private Optional<Image> tryPull(String ref, Consumer<String> output) {
        try {
            output.accept("pulling " + ref);
            Throwable[] failure = new Throwable[1];
            client().pullImageCmd(ref).exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onError(Throwable t) {
                    failure[0] = t;
                    try {
                        close();
                    } catch (IOException ignored) {
                        // closing a failed stream
                    }
                }
            }).awaitCompletion(30, TimeUnit.MINUTES);
            if (failure[0] != null) {
                output.accept("pull of " + ref + " failed: " + String.valueOf(failure[0].getMessage()).strip());
                return Optional.empty();
            }
            return local(ref);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while pulling " + ref, e);
        } catch (DockerException | DockerClientException e) {
            output.accept("pull of " + ref + " failed: " + e.getMessage().strip());
            LOG.debug("pull of {} failed", ref, e);
            return Optional.empty();
        }
    }

    private Image build(ImageSource.Dockerfile d, Consumer<String> output) {
        Path context = d.contextDir();
        Path tmp = null;
        try {
            File dockerfile;
            String name;
            String text;
            if (d.dockerfileContents() != null) {
                text = d.dockerfileContents();
                name = "inline Dockerfile";
                // docker-java sends only files inside the context, so the inline text visits it briefly
                tmp = context.resolve(".nightshift-inline-" + UUID.randomUUID() + ".Dockerfile");
                dockerfile = tmp.toFile();
                Files.writeString(tmp, text);
            } else {
                Path p = context.resolve(d.dockerfile()).normalize();
                name = d.dockerfile();
                if (!Files.isRegularFile(p)) {
                    throw new BuildFailedException("Dockerfile " + name + " does not exist in the build context " + context,
                            List.of());
                }
                text = Files.readString(p);
                dockerfile = p.toFile();
            }
            DockerfileCheck.requireClassicBuilder(text, name);
            Map<String, String> labels = new LinkedHashMap<>(d.labels());
            labels.put(Labels.MANAGED, "true");
            BuildImageCmd cmd = client().buildImageCmd()
                    .withBaseDirectory(context.toFile())
                    .withDockerfile(dockerfile)
                    .withLabels(labels)
                    .withForcerm(true);
            d.buildArgs().forEach(cmd::withBuildArg);
            Deque<String> last = new ArrayDeque<>();
            String[] imageId = new String[1];
            String[] error = new String[1];
            cmd.exec(new ResultCallback.Adapter<BuildResponseItem>() {
                @Override
                public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) {
                        for (String line : item.getStream().split("\r?\n")) {
                            if (!line.isBlank()) {
                                keep(last, line);
                                output.accept(line);
                            }
                        }
                    }
                    if (item.isErrorIndicated()) {
                        String msg = item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                                ? item.getErrorDetail().getMessage() : "the build failed";
                        error[0] = msg;
                        keep(last, String.valueOf(msg));
                        output.accept(String.valueOf(msg));
                    }
                    if (item.isBuildSuccessIndicated() && item.getImageId() != null) {
                        imageId[0] = item.getImageId();
                    }
                }
            }).awaitCompletion();
            if (error[0] != null || imageId[0] == null) {
                List<String> lines = List.copyOf(last);
                throw new BuildFailedException("docker build of " + name + " in " + context + " failed: "
                        + (error[0] != null ? error[0].strip() : "no image produced") + "\nlast lines of output:\n  "
                        + String.join("\n  ", lines), lines);
            }
            InspectImageResponse r = client().inspectImageCmd(imageId[0]).exec();
            return new Image(r.getId(), name, r.getConfig() != null && r.getConfig().getLabels() != null
                    ? r.getConfig().getLabels() : Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while building " + d, e);
        } catch (IOException e) {
            throw new NightshiftException("could not read the build context " + context + ": " + e.getMessage(), e);
        } catch (DockerException | DockerClientException e) {
            throw new BuildFailedException("docker build in " + context + " failed: " + e.getMessage().strip(), List.of(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    private static void keep(Deque<String> last, String line) {
        last.addLast(line);
        while (last.size() > 30) {
            last.removeFirst();
        }
    }

    /** Resolves what a spec names (snapshot id, reference, image id) to a local image. */
    private InspectImageResponse resolveImage(String image) {
        if (SNAPSHOT_ID.matcher(image).matches()) {
            // one inspect of the snapshot's tag: it is the image, once its labels say it is this snapshot
            try {
                InspectImageResponse r = client().inspectImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + image).exec();
                if (info(r).filter(s -> s.id().equals(image)).isPresent()) {
                    return r;
                }
            } catch (NotFoundException e) {
                // not a snapshot of this engine: prepareImage says so
            }
            return client().inspectImageCmd(prepareImage(ImageSource.snapshot(image), null).id()).exec();
        }
        try {
            return client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            return client().inspectImageCmd(prepareImage(ImageSource.reference(image), null).id()).exec();
        }
    }

    // ---------------------------------------------------------------- machines

    public Machine start(MachineSpec spec) {
        if (spec.privileged() && !settings.allowPrivileged()) {
            throw new IllegalStateException("the machine spec asks for --privileged, but this runtime was not built with"
                    + " DockerRuntime.builder().allowPrivileged(true)");
        }
        if (settings.reapOrphans() && reaped.compareAndSet(false, true)) {
            reapOrphans();
        }
        if (settings.removeOnExit() && EXIT_HOOK.compareAndSet(false, true)) {
            java.lang.Runtime.getRuntime().addShutdownHook(new Thread(RuntimeCore::removeOwnMachines,
                    "nightshift-docker-exit"));
        }
        InspectImageResponse image = resolveImage(spec.image());
        String imageUser = image.getConfig() != null ? image.getConfig().getUser() : null;
        String user = spec.user() != null ? spec.user() : imageUser != null && !imageUser.isEmpty() ? imageUser : "root";
        String imageWorkdir = image.getConfig() != null ? image.getConfig().getWorkingDir() : null;
        String workdir = spec.workdir() != null ? spec.workdir()
                : imageWorkdir != null && !imageWorkdir.isEmpty() ? imageWorkdir : null;

        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(Labels.MANAGED, "true");
        if (!labels.containsKey(Labels.SETUP)) {
            // a setup has no owner process: a person removes it (no reaper, no exit hook may)
            labels.putAll(Labels.self().labels());
        }
        labels.put(Labels.USER, user);
        if (workdir != null) {
            labels.put(Labels.WORKDIR, workdir);
        }
        EgressProxy.Setup egress = null;
        if (!spec.egress().allowAll()) {
            if (spec.privileged() || settings.dockerInDocker()) {
                throw new IllegalStateException("a restricted egress policy cannot be enforced on a privileged machine"
                        + " (root in it could change its network rules)");
            }
            egress = egressProxy.setUp(spec.egress(), labels);
            labels.put(EgressProxy.LABEL, egress.egressId());
        }
        ResourceLimits limits = spec.limits() == ResourceLimits.DEFAULT ? settings.defaultLimits() : spec.limits();
        List<ExposedPort> exposed = new ArrayList<>();
        List<PortBinding> bindings = new ArrayList<>();
        for (int p : spec.ports()) {
            ExposedPort ep = ExposedPort.tcp(p);
            exposed.add(ep);
            bindings.add(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ep));
        }
        HostConfig host = HostConfig.newHostConfig()
                .withNanoCPUs((long) (limits.cpus() * 1e9))
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withPidsLimit(limits.pids())
                .withPrivileged(spec.privileged())
                .withPortBindings(bindings);
        if (settings.dockerInDocker() && !spec.privileged()) {
            // what an inner Docker engine needs (mounts, cgroups, networks, iptables), short of
            // --privileged, which an engine without every capability itself refuses
            host.withCapAdd(Capability.SYS_ADMIN, Capability.NET_ADMIN)
                    .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"));
        }
        CreateContainerCmd create = client().createContainerCmd(image.getId())
                .withEntrypoint("/bin/sh", "-c", INIT)
                .withCmd(List.of())
                .withLabels(labels)
                .withExposedPorts(exposed)
                .withHostConfig(host);
        if (workdir != null) {
            create.withWorkingDir(workdir);
        }
        if (egress != null) {
            host.withNetworkMode(egress.network());
            create.withEnv(egress.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
        if (settings.createContainerCmdModifier() != null) {
            settings.createContainerCmdModifier().accept(create);
        }
        String id;
        try {
            id = create.exec().getId();
        } catch (DockerException e) {
            if (egress != null) {
                egressProxy.tearDown(egress.egressId());
            }
            throw new NightshiftException("could not create a machine from " + spec.image() + ": " + e.getMessage().strip(), e);
        }
        try {
            client().startContainerCmd(id).exec();
            DockerMachine m = new DockerMachine(this, id, user, workdir, spec.env(), labels);
            if (egress != null) {
                egressProxy.lockDown(m, egress);
            }
            execServers.start(m);
            Raw check = null;
            // under load the engine can refuse the very first exec of a just-started container
            // (exit 126, "OCI runtime exec failed"): retry that case a few times before giving up
            for (int attempt = 1; attempt <= 4; attempt++) {
                // one exec (through the exec server once it answers): git, the user, its ids, the workdir
                check = m.run(List.of("sh", "-c",
                        "command -v git >/dev/null 2>&1 || { echo 'git: not found' >&2; exit 90; };"
                                + " u=$(id -u \"$1\") && g=$(id -g \"$1\") || exit 91;"
                                + " if [ -n \"$2\" ] && [ ! -d \"$2\" ]; then { mkdir -p \"$2\" && chown \"$u:$g\" \"$2\"; } || :; fi;"
                                + " echo \"$u $g\"",
                        "nightshift-check", user, workdir == null ? "" : workdir), "root", "/", Duration.ofSeconds(60));
                if (check.exit() != 126 || attempt == 4) {
                    break;
                }
                LOG.debug("machine {}: start check exit 126 ({}), retrying", id, check.stderr().strip());
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (check.exit() == 90) {
                throw new EnvironmentUnavailableException("git is missing from image " + spec.image()
                        + ": Nightshift moves the workspace in and out with git; install it in the image"
                        + " (e.g. RUN apt-get install -y git)");
            }
            if (check.exit() == 91) {
                throw new EnvironmentUnavailableException("user '" + user + "' does not exist in image " + spec.image()
                        + " (" + check.stderr().strip() + "); create it in the image or set \"user\" to one that exists");
            }
            if (!check.ok()) {
                throw new NightshiftException("machine " + id + " from " + spec.image() + " failed its start check (exit "
                        + check.exit() + "): " + check.stderr().strip());
            }
            String[] ug = check.out().strip().split("\\s+");
            if (ug.length == 2 && ug[0].matches("\\d+") && ug[1].matches("\\d+")) {
                m.knownIds(user, Integer.parseInt(ug[0]), Integer.parseInt(ug[1]));
            }
            LOG.debug("started machine {} from {} as {}", id, spec.image(), user);
            return m;
        } catch (RuntimeException e) {
            remove(id);
            if (e instanceof DockerException de) {
                throw new NightshiftException("could not start a machine from " + spec.image() + ": "
                        + de.getMessage().strip(), e);
            }
            throw e;
        }
    }

    public Optional<Machine> attach(String machineId) {
        try {
            InspectContainerResponse r = client().inspectContainerCmd(machineId).exec();
            Map<String, String> labels = r.getConfig().getLabels() == null ? Map.of() : r.getConfig().getLabels();
            if (!"true".equals(labels.get(Labels.MANAGED)) || !Boolean.TRUE.equals(r.getState().getRunning())) {
                return Optional.empty();
            }
            String user = labels.getOrDefault(Labels.USER, "root");
            return Optional.of(new DockerMachine(this, r.getId(), user, labels.get(Labels.WORKDIR), Map.of(), labels));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    public List<MachineInfo> machines(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<MachineInfo> out = new ArrayList<>();
        for (Container c : client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
            if (c.getLabels() != null && c.getLabels().containsKey(EgressProxy.LABEL_PROXY)) {
                continue; // a restricted machine's proxy, not a machine
            }
            out.add(new MachineInfo(c.getId(), state(c.getState()), c.getImage(),
                    Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated()), c.getLabels()));
        }
        return List.copyOf(out);
    }

    private static MachineState state(String s) {
        if (s == null) {
            return MachineState.GONE;
        }
        return switch (s) {
            case "running" -> MachineState.RUNNING;
            case "removing", "dead" -> MachineState.GONE;
            default -> MachineState.STOPPED;
        };
    }

    void remove(String id) {
        execServers.close(id);
        String egressId = null;
        try {
            Map<String, String> labels = client().inspectContainerCmd(id).exec().getConfig().getLabels();
            egressId = labels == null ? null : labels.get(EgressProxy.LABEL);
        } catch (NotFoundException e) {
            // gone: nothing of its egress to find
        }
        try {
            client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            // removal already in progress
        }
        if (egressId != null) {
            egressProxy.tearDown(egressId);
        }
    }

    /** The egress proxies of restricted machines. */
    EgressProxy egress() {
        return egressProxy;
    }

    /**
     * Removes every Nightshift machine on this host whose owner process no longer runs (pid gone,
     * or reused by a process with another start time). Machines without complete owner labels,
     * those of other hosts, agents' machines (label {@code dev.nightshift.agent}: the engine
     * that owns the agent reattaches or removes them) and setups (label {@code dev.nightshift.setup},
     * removed by hand) are left alone.
     *
     * @return the ids removed
     */
    public List<String> reapOrphans() {
        List<String> removed = new ArrayList<>();
        Map<String, String> filter = Map.of(Labels.MANAGED, "true", Labels.OWNER_HOST, Labels.self().host());
        for (Container c : client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (Labels.outlivesOwner(labels)) {
                continue; // an agent's machine (its engine reattaches or removes it) or a setup (removed by hand)
            }
            Optional<Labels.Owner> owner = Labels.Owner.of(labels);
            if (owner.isPresent() && !owner.get().isAlive()) {
                LOG.info("removing machine {}: its owner process {} on {} is gone", c.getId(), owner.get().pid(),
                        owner.get().host());
                remove(c.getId());
                removed.add(c.getId());
            }
        }
        return List.copyOf(removed);
    }

    /** The shutdown hook: removes the machines this process owns, on a client of its own. */
    static void removeOwnMachines() {
        Labels.Owner self = Labels.self();
        try (Engine e = new Engine(null)) {
            Map<String, String> filter = new LinkedHashMap<>(self.labels());
            filter.put(Labels.MANAGED, "true");
            for (Container c : e.client().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec()) {
                if (Labels.outlivesOwner(c.getLabels())) {
                    continue; // an agent's machine or a setup outlives the process
                }
                try {
                    e.client().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                } catch (RuntimeException ignored) {
                    // best effort at exit
                }
            }
        } catch (RuntimeException ignored) {
            // no engine at exit: nothing to remove
        }
    }

    // ---------------------------------------------------------------- snapshots

    static String newSnapshotId(Instant now) {
        return "snapshot-" + DAY.format(now) + "-" + UUID.randomUUID();
    }

    SnapshotInfo snapshot(DockerMachine m, Map<String, String> extra) {
        Instant now = Instant.now();
        String id = newSnapshotId(now);
        Map<String, String> labels = new LinkedHashMap<>(extra == null ? Map.of() : extra);
        labels.put(Labels.MANAGED, "true");
        labels.put(Labels.SNAPSHOT, id);
        labels.put(Labels.SNAPSHOT_SOURCE, m.id());
        labels.put(Labels.SNAPSHOT_CREATED, now.toString());
        String imageId;
        try {
            imageId = client().commitCmd(m.id()).withRepository(Labels.SNAPSHOT_REPOSITORY).withTag(id)
                    .withLabels(labels).withPause(true).exec();
        } catch (NotFoundException e) {
            throw new dev.nightshift.api.NotFoundException("cannot snapshot machine " + m.id() + ": it does not exist", e);
        } catch (DockerException e) {
            throw new NightshiftException("snapshot of machine " + m.id() + " failed: " + e.getMessage().strip(), e);
        }
        InspectImageResponse image = client().inspectImageCmd(imageId).exec();
        int layers = image.getRootFS() == null || image.getRootFS().getLayers() == null ? 0
                : image.getRootFS().getLayers().size();
        if (layers > settings.flattenThreshold()) {
            imageId = flatten(image, id);
            image = client().inspectImageCmd(imageId).exec();
        }
        return info(image).orElseThrow();
    }

    private String flatten(InspectImageResponse image, String snapshotId) {
        String tag = Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId;
        try {
            String flat = Flattener.flatten(client(), io, image, tag);
            try {
                client().removeImageCmd(image.getId()).exec();
            } catch (DockerException ignored) {
                // the old chain is still used by a machine: it goes when that does
            }
            LOG.debug("flattened snapshot {} to {}", snapshotId, flat);
            return flat;
        } catch (IOException e) {
            throw new NightshiftException("flattening snapshot " + snapshotId + " failed: " + e.getMessage(), e);
        }
    }

    private Optional<SnapshotInfo> info(InspectImageResponse image) {
        Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null ? Map.of()
                : image.getConfig().getLabels();
        String id = labels.get(Labels.SNAPSHOT);
        if (id == null) {
            return Optional.empty();
        }
        Instant created;
        try {
            created = Instant.parse(labels.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return Optional.of(new SnapshotInfo(id, image.getId(), created, labels));
    }

    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        try {
            return info(client().inspectImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId).exec())
                    .filter(s -> s.id().equals(snapshotId));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            return Optional.empty();
        }
    }

    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<SnapshotInfo> out = new ArrayList<>();
        for (com.github.dockerjava.api.model.Image i : client().listImagesCmd().withLabelFilter(filter).exec()) {
            Map<String, String> l = i.getLabels() == null ? Map.of() : i.getLabels();
            String id = l.get(Labels.SNAPSHOT);
            if (id == null || i.getRepoTags() == null
                    || !List.of(i.getRepoTags()).contains(Labels.SNAPSHOT_REPOSITORY + ":" + id)) {
                continue;
            }
            Instant created;
            try {
                created = Instant.parse(l.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
            } catch (RuntimeException e) {
                created = Instant.ofEpochSecond(i.getCreated() == null ? 0 : i.getCreated());
            }
            out.add(new SnapshotInfo(id, i.getId(), created, l));
        }
        return List.copyOf(out);
    }

    /** Managed images (Dockerfile builds and snapshots) whose labels include all of {@code labels}. */
    public List<ImageInfo> images(Map<String, String> labels) {
        Map<String, String> filter = new LinkedHashMap<>(labels);
        filter.put(Labels.MANAGED, "true");
        List<ImageInfo> out = new ArrayList<>();
        // all: an untagged Dockerfile build that a snapshot is built on is hidden from the default list
        for (com.github.dockerjava.api.model.Image i : client().listImagesCmd().withShowAll(true).withLabelFilter(filter)
                .exec()) {
            Map<String, String> l = i.getLabels() == null ? Map.of() : i.getLabels();
            List<String> tags = i.getRepoTags() == null ? List.of()
                    : List.of(i.getRepoTags()).stream().filter(t -> !t.equals("<none>:<none>")).toList();
            Instant created;
            try {
                created = Instant.parse(l.getOrDefault(Labels.SNAPSHOT_CREATED, ""));
            } catch (RuntimeException e) {
                created = Instant.ofEpochSecond(i.getCreated() == null ? 0 : i.getCreated());
            }
            out.add(new ImageInfo(i.getId(), tags, created, l));
        }
        return List.copyOf(out);
    }

    /**
     * Removes a managed image by id (with its tags and the untagged parents only it needed);
     * false when a container or a child image still needs it. Only untagged builds and snapshots
     * ({@code nightshift/snapshot:*}) are removed: images without the managed label, or with
     * another name (the base image), are refused.
     */
    public boolean removeImage(String imageId) {
        try {
            InspectImageResponse r = client().inspectImageCmd(imageId).exec();
            Map<String, String> l = r.getConfig() == null || r.getConfig().getLabels() == null ? Map.of()
                    : r.getConfig().getLabels();
            List<String> tags = r.getRepoTags() == null ? List.of() : r.getRepoTags();
            if (!"true".equals(l.get(Labels.MANAGED))
                    || tags.stream().anyMatch(t -> !t.startsWith(Labels.SNAPSHOT_REPOSITORY + ":"))) {
                // the base image is labelled managed too, but it is named: only builds and snapshots go
                throw new IllegalArgumentException("image " + imageId + " " + tags + " is not a build or snapshot"
                        + " made by Nightshift; not removing it");
            }
            client().removeImageCmd(r.getId()).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            LOG.debug("image {} stays: {}", imageId, e.getMessage());
            return false;
        }
    }

    public void deleteSnapshot(String snapshotId) {
        if (findSnapshot(snapshotId).isEmpty()) {
            return;
        }
        try {
            client().removeImageCmd(Labels.SNAPSHOT_REPOSITORY + ":" + snapshotId).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (com.github.dockerjava.api.exception.ConflictException e) {
            throw new ConflictException("snapshot " + snapshotId + " is in use by a machine; close it first", e);
        }
    }

    @Override
    public void close() {
        execServers.closeAll();
        scheduler.shutdownNow();
        io.shutdownNow();
        engine.close();
    }
}
