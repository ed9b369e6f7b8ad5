package dev.nightshift.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.docker.internal.Labels;
import dev.nightshift.docker.internal.RuntimeCore;
import dev.nightshift.docker.internal.Settings;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@link MachineRuntime} on a Docker engine, through docker-java (httpclient5 transport).
 *
 * <p>The engine is found like Testcontainers finds it: {@link Builder#dockerHost}, else
 * {@code DOCKER_HOST}, else the usual local sockets; the first that answers wins, and when none
 * does, one {@link dev.nightshift.api.EnvironmentUnavailableException} lists what was tried. The
 * engine is contacted on first use, not at construction.
 *
 * <p>Machines are containers labelled {@value #LABEL_MANAGED}{@code =true} plus their owner (host,
 * pid, process start time); PID 1 is a tiny sh loop, so any image with {@code /bin/sh},
 * {@code setsid} and git works. Each machine runs its execs through one long-lived exec server
 * (a small Perl script in one {@code docker exec}, started with the machine) rather than three
 * engine calls per exec; without {@code perl} in the image, or with
 * {@link Builder#execServers execServers(false)}, execs take the engine's per-exec path, with the
 * same results. A listener runs on the server's one reading thread: one that blocks holds back the
 * output of the machine's other execs, and it must not wait for another exec of the same machine. The spec's environment is applied to every exec and terminal and
 * is <em>not</em> written into the container's configuration, so snapshots never carry it.
 * Resource limits are the spec's, or {@link Builder#defaultLimits} when it has none; Docker's
 * default capabilities apply
 * (so {@code sudo} works); {@code --privileged} only with {@link Builder#allowPrivileged} (for
 * specs that ask for it); {@link Builder#dockerInDocker} gives every machine what its own Docker
 * engine needs.
 * Dockerfiles are built by the engine's classic builder, so BuildKit-only syntax is refused
 * with an error that names the line. Snapshots are {@code docker commit}s tagged
 * {@code nightshift/snapshot:<snapshot id>}; a chain longer than
 * {@link Builder#flattenThreshold} layers is flattened to one. At the first {@link #start},
 * machines on this host whose owner process is gone are removed; at JVM exit a shutdown hook
 * removes this process's machines.
 *
 * <p>Thread-safety: thread-safe; share one per application. Lifecycle: {@link #close()}
 * releases the client and threads; machines stay until closed themselves (or the process
 * exits).
 *
 * <pre>{@code
 * try (DockerRuntime docker = DockerRuntime.builder().defaultLimits(ResourceLimits.DEFAULT.withCpus(1)).build()) {
 *     Image base = docker.prepareImage(ImageSource.defaultBase(), System.out::println);
 *     try (Machine m = docker.start(MachineSpec.builder(base.id()).user("ubuntu").build())) {
 *         System.out.println(m.exec(ExecRequest.of("git", "--version")).await().stdoutTail());
 *     }
 * }
 * }</pre>
 */
public final class DockerRuntime implements MachineRuntime {
    /** The label every Nightshift container and image carries. */
    public static final String LABEL_MANAGED = Labels.MANAGED;
    /**
     * The label sdk-core sets to the agent a machine works for: for finding an agent's machines
     * with {@link #machines}. The runtime itself never reads it; what it must know of a machine
     * comes in the {@link dev.nightshift.api.runtime.MachineSpec} (e.g. {@code keepOnOwnerExit}).
     */
    public static final String LABEL_AGENT = "dev.nightshift.agent";
    /**
     * The default base image when neither the builder nor {@code NIGHTSHIFT_BASE_IMAGE} names one:
     * the default machine with the usual toolchains (Node, Python, build tools, Docker), built
     * offline by {@code scripts/default-image}.
     */
    public static final String DEFAULT_BASE_IMAGE = "nightshift/default:trixie";
    /**
     * The minimal image (Debian minbase with git, tmux, sudo), built offline by
     * {@code scripts/base-image}: for machines that need nothing more, e.g. tests.
     */
    public static final String MINIMAL_BASE_IMAGE = "nightshift/base:bookworm";

    /**
     * The egress proxy image (squid from Debian on the base image), built locally on the first
     * restricted machine and kept, cached by this tag, like the base images.
     */
    public static final String EGRESS_PROXY_IMAGE = dev.nightshift.docker.internal.EgressProxy.IMAGE;

    private final RuntimeCore core;
    private final Builder config;

    /** A runtime with every default (used by {@link java.util.ServiceLoader}). */
    public DockerRuntime() {
        this(builder());
    }

    private DockerRuntime(Builder b) {
        this.config = b.copy();
        this.core = new RuntimeCore(new Settings(b.dockerHost, b.baseImage, b.defaultLimits, b.allowPrivileged,
                b.createContainerCmdModifier, b.flattenThreshold, b.reapOrphans, b.removeOnExit, b.execServers,
                b.execServerIdle, b.dockerInDocker, b.egressNetwork));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return config.copy();
    }

    @Override
    public String name() {
        return "docker";
    }

    /** The default base image reference this runtime uses. */
    public String baseImage() {
        return config.baseImage;
    }

    /** Whether every machine may run its own Docker engine ({@link Builder#dockerInDocker}). */
    public boolean dockerInDocker() {
        return config.dockerInDocker;
    }

    @Override
    public Image prepareImage(ImageSource source, Consumer<String> output) {
        return core.prepareImage(Objects.requireNonNull(source, "source"), output);
    }

    /** {@inheritDoc} Docker enforces it with an egress proxy; see {@link Builder#egressNetwork}. */
    @Override
    public boolean enforcesEgress() {
        return true;
    }

    @Override
    public Machine start(MachineSpec spec) {
        return core.start(Objects.requireNonNull(spec, "spec"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The attached machine keeps its user and working directory (labels), but not the spec's
     * environment, which is never stored in the container; pass it per exec if needed. Only
     * running Nightshift containers attach.
     */
    @Override
    public Optional<Machine> attach(String machineId) {
        return core.attach(machineId);
    }

    @Override
    public List<MachineInfo> machines(Map<String, String> labels) {
        return core.machines(labels == null ? Map.of() : labels);
    }

    @Override
    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        return core.findSnapshot(snapshotId);
    }

    @Override
    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        return core.snapshots(labels == null ? Map.of() : labels);
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        core.deleteSnapshot(snapshotId);
    }

    @Override
    public List<ImageInfo> images(Map<String, String> labels) {
        return core.images(labels == null ? Map.of() : labels);
    }

    /**
     * {@inheritDoc} Only Dockerfile builds and snapshots this runtime made (labelled
     * {@code dev.nightshift.managed=true}, untagged or named {@code nightshift/snapshot:*}); any
     * other image, the base image included, is an {@link IllegalArgumentException}.
     */
    @Override
    public boolean removeImage(String imageId) {
        return core.removeImage(imageId);
    }

    /**
     * Removes, now, the machines on this host whose owner process is gone (the same sweep the
     * first {@link #start} runs). Returns the ids removed.
     */
    /** For tests: stops exec servers idle for at least {@code idle} now instead of at the timer's next run. */
    void retireIdleExecServers(java.time.Duration idle) {
        core.retireIdleExecServers(idle);
    }

    public List<String> reapOrphans() {
        return core.reapOrphans();
    }

    /** The engine address in use, e.g. {@code unix:///var/run/docker.sock} (connects if needed). */
    public String dockerHost() {
        return core.engine().host();
    }

    @Override
    public void close() {
        core.close();
    }

    /**
     * Configures a {@link DockerRuntime}.
     *
     * <p>Thread-safety: not thread-safe. Lifecycle: reusable; {@link #build()} copies it.
     */
    public static final class Builder {
        private String dockerHost;
        private String baseImage = Optional.ofNullable(System.getenv("NIGHTSHIFT_BASE_IMAGE"))
                .filter(s -> !s.isBlank()).orElse(DEFAULT_BASE_IMAGE);
        private ResourceLimits defaultLimits = ResourceLimits.DEFAULT;
        private boolean allowPrivileged;
        private Consumer<CreateContainerCmd> createContainerCmdModifier;
        private String egressNetwork = "bridge";
        private int flattenThreshold = 60;
        private boolean reapOrphans = true;
        private boolean removeOnExit = true;
        private boolean execServers = true;
        private java.time.Duration execServerIdle = java.time.Duration.ofSeconds(30);
        private boolean dockerInDocker = "true".equalsIgnoreCase(System.getenv("NIGHTSHIFT_DOCKER_IN_DOCKER"))
                || "1".equals(System.getenv("NIGHTSHIFT_DOCKER_IN_DOCKER"));

        private Builder() {
        }

        /** The engine address ({@code unix:///...} or {@code tcp://host:port}); default: discovered. */
        public Builder dockerHost(String value) { dockerHost = value; return this; }

        /** The default base image; default {@code NIGHTSHIFT_BASE_IMAGE}, else {@value #DEFAULT_BASE_IMAGE_DOC}. */
        public Builder baseImage(String value) { baseImage = Objects.requireNonNull(value, "baseImage"); return this; }

        /**
         * Limits of machines whose {@link MachineSpec#limits spec} has none
         * (default {@link ResourceLimits#DEFAULT}); engine users set a machine's limits with
         * {@code Limits.withMachine} instead.
         */
        public Builder defaultLimits(ResourceLimits value) { defaultLimits = Objects.requireNonNull(value); return this; }

        /** Whether specs may ask for {@code --privileged} (e.g. docker-in-docker). Default {@code false}. */
        public Builder allowPrivileged(boolean value) { allowPrivileged = value; return this; }

        /**
         * Whether every machine may run its own Docker engine ({@code start: sudo service docker
         * start} in environment.json, as the default machine supports): machines get the
         * capabilities such an engine needs ({@code SYS_ADMIN}, {@code NET_ADMIN}) with seccomp
         * and AppArmor unconfined, short of {@code --privileged} (which an engine that lacks a
         * capability itself refuses). Default: {@code NIGHTSHIFT_DOCKER_IN_DOCKER=true} (or
         * {@code 1}), else {@code false}.
         *
         * <p>The trade-off: such a machine can mount file systems, change the network and use
         * every system call, so the code it runs is much less contained (a repository's
         * {@code install} could escape to the host); turn it on only for repositories you trust.
         * The inner engine keeps its state on the machine's disk ({@code vfs} storage driver on
         * the overlay root: slow and large; snapshots carry it), and no process survives a
         * snapshot, so the engine is started by {@code start} on every machine start, after a
         * restore or a hibernation too. Without this option the default machine's
         * {@code service docker start} fails with a message naming it.
         */
        public Builder dockerInDocker(boolean value) { dockerInDocker = value; return this; }

        /** An escape hatch: called last on every container create. */
        /**
         * The Docker network the egress proxy of a restricted machine (one whose
         * {@link MachineSpec#egress()} is not allow-all) reaches the outside through: {@code bridge}
         * by default. The proxy refuses this network's gateway (the host). A restricted machine
         * itself sits alone on an internal network whose only way out is that proxy.
         */
        public Builder egressNetwork(String value) {
            egressNetwork = Objects.requireNonNull(value);
            return this;
        }

        public Builder createContainerCmdModifier(Consumer<CreateContainerCmd> value) {
            createContainerCmdModifier = value;
            return this;
        }

        /** Layers above which a snapshot is flattened to one (overlay2 allows about 125). Default 60. */
        public Builder flattenThreshold(int value) { flattenThreshold = value; return this; }

        /**
         * Whether the first start removes machines of dead owner processes on this host. Default
         * {@code true}. Machines started with {@code MachineSpec.keepOnOwnerExit} are never reaped:
         * an agent's, which an engine reattaches after a restart (or its {@code gc} removes), and a
         * setup, which a person removes.
         */
        public Builder reapOrphans(boolean value) { reapOrphans = value; return this; }

        /**
         * Whether a shutdown hook removes this process's machines. Default {@code true}. The hook
         * is one per process and removes every machine the process owns, so keeping machines past
         * exit needs {@code false} on every runtime the process builds. Machines started with
         * {@code MachineSpec.keepOnOwnerExit} are kept at exit (an agent's, a setup).
         */
        public Builder removeOnExit(boolean value) { removeOnExit = value; return this; }

        /**
         * Whether each machine runs its execs through one long-lived exec server (a small Perl
         * script started with the machine as one {@code docker exec} with stdin attached) instead
         * of the engine's exec create, start and inspect round trips per exec. Default
         * {@code true}. Semantics are the same either way; when the server cannot start (e.g. an
         * image without {@code perl}) or keeps dying, the machine falls back to the per-exec path
         * by itself (logged once). Terminals and file copies never use it.
         */
        public Builder execServers(boolean value) { execServers = value; return this; }

        /**
         * How long a machine's exec server may serve no exec before it is stopped, so that an idle
         * machine holds no host threads or connections; the next exec starts a new one (a few tens
         * of milliseconds). Default 30 seconds.
         */
        public Builder execServerIdle(java.time.Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("execServerIdle must not be negative");
            }
            execServerIdle = value;
            return this;
        }

        private static final String DEFAULT_BASE_IMAGE_DOC = DEFAULT_BASE_IMAGE;

        public DockerRuntime build() {
            if (flattenThreshold < 1 || flattenThreshold > 120) {
                throw new IllegalArgumentException("flattenThreshold must be within 1..120 (overlay2's layer limit): "
                        + flattenThreshold);
            }
            return new DockerRuntime(this);
        }

        private Builder copy() {
            Builder b = new Builder();
            b.dockerHost = dockerHost;
            b.baseImage = baseImage;
            b.defaultLimits = defaultLimits;
            b.allowPrivileged = allowPrivileged;
            b.createContainerCmdModifier = createContainerCmdModifier;
            b.flattenThreshold = flattenThreshold;
            b.reapOrphans = reapOrphans;
            b.removeOnExit = removeOnExit;
            b.execServers = execServers;
            b.execServerIdle = execServerIdle;
            b.dockerInDocker = dockerInDocker;
            b.egressNetwork = egressNetwork;
            return b;
        }
    }
}
