package dev.nightshift.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.StreamType;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.PortMapping;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.runtime.Terminals;
import dev.nightshift.machine.CommandOutput;
import dev.nightshift.machine.ExecServerClient;
import dev.nightshift.machine.OutputCollector;
import dev.nightshift.machine.SafeTar;
import dev.nightshift.machine.Tars;
import dev.nightshift.machine.TmuxTerminals;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A Docker container as a {@link Machine}.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: made by the runtime; {@link #close()} removes the
 * container.
 */
public final class DockerMachine implements Machine {
    private final RuntimeCore core;
    private final String id;
    private final String user;
    private final String workdir;
    private final Map<String, String> env;
    private final Map<String, String> labels;
    private final Map<String, int[]> ids = new ConcurrentHashMap<>();
    private final TmuxTerminals terminals;
    private volatile boolean closed;

    DockerMachine(RuntimeCore core, String id, String user, String workdir, Map<String, String> env,
            Map<String, String> labels) {
        this.core = core;
        this.id = id;
        this.user = user;
        this.workdir = workdir;
        this.env = Map.copyOf(env);
        this.labels = Map.copyOf(labels);
        this.terminals = new TmuxTerminals(id, user, workdir, this.env, (command, asUser, timeout) -> run(command, asUser,
                null, timeout), this::attachCommand);
    }

    /** How a human attaches to tmux {@code target}: {@code docker [-H host] exec -it -u user id tmux attach}. */
    private List<String> attachCommand(String target) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        if (!core.engine().isDefaultHost()) {
            cmd.add("-H");
            cmd.add(core.engine().host());
        }
        cmd.addAll(List.of("exec", "-it", "-u", user, id, "tmux", "attach", "-t", target));
        return cmd;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String user() {
        return user;
    }

    String workdir() {
        return workdir;
    }

    Map<String, String> env() {
        return env;
    }

    /** The environment of an exec as {@code K=V}: the spec's, overridden by the request's. */
    List<String> execEnv(ExecRequest request) {
        return ExecServerClient.environment(env, request);
    }

    String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }

    DockerClient client() {
        return core.client();
    }

    ScheduledExecutorService scheduler() {
        return core.scheduler();
    }

    RuntimeCore core() {
        return core;
    }

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public MachineState state() {
        try {
            InspectContainerResponse r = client().inspectContainerCmd(id).exec();
            return Boolean.TRUE.equals(r.getState().getRunning()) ? MachineState.RUNNING : MachineState.STOPPED;
        } catch (NotFoundException e) {
            return MachineState.GONE;
        }
    }

    @Override
    public ExecHandle exec(ExecRequest request) {
        if (closed) {
            CompletableFuture<ExecResult> f = CompletableFuture.failedFuture(
                    new NightshiftException("machine " + id + " was closed; cannot exec " + request.command()));
            return new ExecHandle() {
                @Override
                public String id() {
                    return id + "/closed";
                }

                @Override
                public CompletableFuture<ExecResult> result() {
                    return f;
                }

                @Override
                public void cancel() {
                }
            };
        }
        ExecServer s = core.execServers().get(this);
        if (s != null) {
            ExecHandle h = s.exec(this, request);
            if (h != null) {
                return h;
            }
        }
        return new DockerExec(this, request).start();
    }

    /**
     * Runs an internal command to completion, buffering its (small) output: through the
     * machine's exec server when it has one (one message each way, a few ms), otherwise through
     * the engine's per-exec API ({@link #runRaw}). {@code workdir} {@code null}: the machine's.
     */
    CommandOutput run(List<String> command, String asUser, String workdir, Duration timeout) {
        ExecServer s = closed ? null : core.execServers().get(this);
        OutputCollector collect = new OutputCollector();
        ExecHandle e = s == null ? null : s.exec(this, ExecRequest.builder(command).user(asUser).workdir(workdir)
                .timeout(timeout).listener(collect).tailBytes(0).build());
        if (e == null) {
            return runRaw(command, asUser, timeout);
        }
        return collect.await(e, id, command.get(0), timeout, re -> translate(re, "internal command " + command.get(0)));
    }

    /** Runs an internal command to completion through the engine's per-exec API, buffering its (small) output. */
    CommandOutput runRaw(List<String> command, String asUser, Duration timeout) {
        try {
            String execId = client().execCreateCmd(id).withCmd(command.toArray(String[]::new)).withUser(asUser)
                    .withAttachStdout(true).withAttachStderr(true).exec().getId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            boolean done = client().execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (out) {
                        (frame.getStreamType() == StreamType.STDERR ? err : out).writeBytes(frame.getPayload());
                    }
                }
            }).awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new NightshiftTimeoutException("internal command " + command.get(0) + " in machine " + id
                        + " did not finish within " + timeout);
            }
            Long code = client().inspectExecCmd(execId).exec().getExitCodeLong();
            synchronized (out) {
                return new CommandOutput(code == null ? -1 : code.intValue(), out.toByteArray(), err.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NightshiftException("interrupted while running an internal command in machine " + id, e);
        } catch (RuntimeException e) {
            throw translate(e, "internal command " + command.get(0));
        }
    }

    /** Turns docker-java failures into Nightshift exceptions that name this machine. */
    RuntimeException translate(RuntimeException e, String what) {
        if (e instanceof NightshiftException) {
            return e;
        }
        if (e instanceof NotFoundException) {
            return new NightshiftException(what + " failed: machine " + id + " does not exist (removed?)", e);
        }
        if (e instanceof ConflictException) {
            return new NightshiftException(what + " failed: machine " + id + " is not running ("
                    + e.getMessage().strip() + "); start a new machine or restore a snapshot", e);
        }
        if (e instanceof DockerException) {
            return new NightshiftException(what + " failed in machine " + id + ": " + e.getMessage().strip(), e);
        }
        return new NightshiftException(what + " failed in machine " + id + ": " + e, e);
    }

    /** Remembers {@code name}'s uid and gid, learnt by the start check, so {@link #idsOf} asks no more. */
    void knownIds(String name, int uid, int gid) {
        ids.putIfAbsent(name, new int[] {uid, gid});
    }

    /** The numeric uid and gid of {@code name} in the machine. */
    int[] idsOf(String name) {
        if (name.equals("root") || name.equals("0")) {
            return new int[] {0, 0};
        }
        return ids.computeIfAbsent(name, n -> {
            CommandOutput r = run(List.of("sh", "-c", "id -u \"$1\" && id -g \"$1\"", "nightshift-id", n), "root", "/",
                    Duration.ofSeconds(30));
            if (!r.ok()) {
                throw new NightshiftException("user '" + n + "' does not exist in machine " + id + ": " + r.stderr().strip());
            }
            String[] lines = r.out().strip().split("\\s+");
            return new int[] {Integer.parseInt(lines[0]), Integer.parseInt(lines[1])};
        });
    }

    /** Copies one file in, owned by {@code owner}, with {@code mode}; the parent must exist. */
    void putFile(String path, byte[] content, String owner, int mode) {
        int[] uidGid = idsOf(owner);
        int slash = path.lastIndexOf('/');
        String parent = slash <= 0 ? "/" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        byte[] tar = Tars.singleFile(name, content, uidGid[0], uidGid[1], mode);
        try {
            client().copyArchiveToContainerCmd(id).withRemotePath(parent)
                    .withTarInputStream(new ByteArrayInputStream(tar)).exec();
        } catch (RuntimeException e) {
            throw translate(e, "writing " + path);
        }
    }

    boolean consumeOomMarker(String path) {
        CommandOutput r = runRaw(List.of("sh", "-c", "if [ -e \"$1\" ]; then rm -f \"$1\"; echo oom; fi", "nightshift-oom", path),
                "root", Duration.ofSeconds(30));
        return r.out().contains("oom");
    }

    private static String requireAbsolute(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("machine paths must be absolute: " + path);
        }
        return path;
    }

    @Override
    public byte[] readFile(String path) {
        requireAbsolute(path);
        try (InputStream in = client().copyArchiveFromContainerCmd(id, path).exec();
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e = tar.getNextEntry();
            if (e == null) {
                throw new dev.nightshift.api.NotFoundException("no file " + path + " in machine " + id);
            }
            if (!e.isFile()) {
                throw new NightshiftException(path + " in machine " + id + " is not a regular file");
            }
            return tar.readAllBytes();
        } catch (NotFoundException e) {
            throw new dev.nightshift.api.NotFoundException("no file " + path + " in machine " + id, e);
        } catch (IOException e) {
            throw new NightshiftException("reading " + path + " from machine " + id + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw translate(e, "reading " + path);
        }
    }

    @Override
    public void writeFile(String path, byte[] content) {
        requireAbsolute(path);
        if (path.endsWith("/")) {
            throw new IllegalArgumentException("not a file path: " + path);
        }
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            ensureDir(path.substring(0, slash));
        }
        putFile(path, content, user, 0644);
    }

    /** Creates {@code dir} (and parents) when missing, the last one owned by the machine's user. */
    private void ensureDir(String dir) {
        int[] uidGid = idsOf(user);
        CommandOutput r = run(List.of("sh", "-c", "[ -d \"$1\" ] || { mkdir -p \"$1\" && chown \"$2\" \"$1\"; }",
                "nightshift-mkdir", dir, uidGid[0] + ":" + uidGid[1]), "root", "/", Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new NightshiftException("could not create directory " + dir + " in machine " + id + ": " + r.stderr().strip());
        }
    }

    @Override
    public void copyIn(Path hostPath, String machineDir) {
        requireAbsolute(machineDir);
        if (!Files.exists(hostPath)) {
            throw new dev.nightshift.api.NotFoundException("no such host path: " + hostPath);
        }
        ensureDir(machineDir);
        int[] uidGid = idsOf(user);
        try (PipedInputStream in = new PipedInputStream(1 << 16)) {
            PipedOutputStream out = new PipedOutputStream(in);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (out) {
                    Tars.writeTree(hostPath, out, uidGid[0], uidGid[1]);
                } catch (IOException e) {
                    throw new NightshiftException("could not read " + hostPath + " to copy it into machine " + id
                            + ": " + e.getMessage(), e);
                }
            }, core.io());
            client().copyArchiveToContainerCmd(id).withRemotePath(machineDir).withTarInputStream(in).exec();
            writer.join();
        } catch (IOException e) {
            throw new NightshiftException("copying " + hostPath + " into machine " + id + " failed: " + e.getMessage(), e);
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        } catch (RuntimeException e) {
            throw translate(e, "copying " + hostPath + " into " + machineDir);
        }
    }

    @Override
    public void copyOut(String machinePath, Path hostDir) {
        requireAbsolute(machinePath);
        try (InputStream in = client().copyArchiveFromContainerCmd(id, machinePath).exec()) {
            SafeTar.extract(in, hostDir);
        } catch (NotFoundException e) {
            throw new dev.nightshift.api.NotFoundException("no path " + machinePath + " in machine " + id, e);
        } catch (IOException e) {
            throw new NightshiftException("copying " + machinePath + " out of machine " + id + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw translate(e, "copying " + machinePath + " out");
        }
    }

    @Override
    public Terminals terminals() {
        return terminals;
    }

    @Override
    public List<PortMapping> ports() {
        try {
            InspectContainerResponse r = client().inspectContainerCmd(id).exec();
            List<PortMapping> out = new ArrayList<>();
            Ports ports = r.getNetworkSettings().getPorts();
            if (ports == null) {
                return List.of();
            }
            for (Map.Entry<ExposedPort, Ports.Binding[]> e : ports.getBindings().entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                for (Ports.Binding b : e.getValue()) {
                    if (b.getHostPortSpec() != null && !b.getHostPortSpec().isEmpty()) {
                        String ip = b.getHostIp() == null || b.getHostIp().isEmpty() ? "127.0.0.1" : b.getHostIp();
                        out.add(new PortMapping(e.getKey().getPort(), ip, Integer.parseInt(b.getHostPortSpec())));
                    }
                }
            }
            out.sort(Comparator.comparingInt(PortMapping::machinePort));
            return List.copyOf(out);
        } catch (RuntimeException e) {
            throw translate(e, "listing ports");
        }
    }

    @Override
    public SnapshotInfo snapshot(Map<String, String> extraLabels) {
        return core.snapshot(this, extraLabels);
    }

    @Override
    public SnapshotInfo hibernate(Map<String, String> extraLabels) {
        SnapshotInfo s = snapshot(extraLabels);
        close();
        return s;
    }

    @Override
    public void stop() {
        core.execServers().close(id);
        try {
            client().stopContainerCmd(id).withTimeout(10).exec();
        } catch (com.github.dockerjava.api.exception.NotModifiedException e) {
            // already stopped
        } catch (RuntimeException e) {
            throw translate(e, "stopping");
        }
    }

    @Override
    public void updateEgress(dev.nightshift.api.runtime.EgressPolicy policy) {
        String egressId = labels.get(EgressProxy.LABEL);
        if (egressId == null) {
            throw new UnsupportedOperationException("machine " + id + " was started allow-all: it has no egress proxy to"
                    + " narrow; start a new machine with a restricted policy");
        }
        core.egress().update(egressId, java.util.Objects.requireNonNull(policy, "policy"));
    }

    @Override
    public List<dev.nightshift.api.runtime.EgressBlock> blockedRequests(java.time.Instant since) {
        String egressId = labels.get(EgressProxy.LABEL);
        return egressId == null ? List.of() : core.egress().blocked(egressId, since);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        core.remove(id);
    }

    @Override
    public String toString() {
        return "DockerMachine[" + id.substring(0, Math.min(12, id.length())) + ", user=" + user + "]";
    }
}
