package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Everything {@code DockerRuntime} does, on one docker-java client: the shared client, threads,
 * exec servers and egress proxies, and the runtime's operations, each in a class of its own
 * ({@link Images}, {@link Machines}, {@link Snapshots}).
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per runtime; {@link #close()} releases the
 * client and threads, never the machines.
 */
public final class RuntimeCore implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Settings settings;
    private final Engine engine;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService io;
    private final ExecServers execServers;
    private final EgressProxy egressProxy;
    private final Images images = new Images(this);
    private final Snapshots snapshots = new Snapshots(this);
    private final Machines machines = new Machines(this);

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
        Thread t = new Thread(r, prefix + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
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

    Images images() {
        return images;
    }

    Snapshots snapshots() {
        return snapshots;
    }

    /** The egress proxies of restricted machines. */
    EgressProxy egress() {
        return egressProxy;
    }

    // ---------------------------------------------------------------- images

    public Image prepareImage(ImageSource source, Consumer<String> output) {
        return images.prepareImage(source, output);
    }

    /** Managed images (Dockerfile builds and snapshots) whose labels include all of {@code labels}. */
    public List<ImageInfo> images(Map<String, String> labels) {
        return images.images(labels);
    }

    /** See {@link Images#removeImage}. */
    public boolean removeImage(String imageId) {
        return images.removeImage(imageId);
    }

    // ---------------------------------------------------------------- machines

    public Machine start(MachineSpec spec) {
        return machines.start(spec);
    }

    public Optional<Machine> attach(String machineId) {
        return machines.attach(machineId);
    }

    public List<MachineInfo> machines(Map<String, String> labels) {
        return machines.machines(labels);
    }

    void remove(String id) {
        machines.remove(id);
    }

    /** See {@link Machines#reapOrphans}. */
    public List<String> reapOrphans() {
        return machines.reapOrphans();
    }

    // ---------------------------------------------------------------- snapshots

    SnapshotInfo snapshot(DockerMachine m, Map<String, String> extra) {
        return snapshots.snapshot(m, extra);
    }

    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        return snapshots.findSnapshot(snapshotId);
    }

    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        return snapshots.snapshots(labels);
    }

    public void deleteSnapshot(String snapshotId) {
        snapshots.deleteSnapshot(snapshotId);
    }

    @Override
    public void close() {
        execServers.closeAll();
        scheduler.shutdownNow();
        io.shutdownNow();
        engine.close();
    }
}
