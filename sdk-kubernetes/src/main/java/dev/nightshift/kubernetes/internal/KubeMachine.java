package dev.nightshift.kubernetes.internal;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ExecHandle;
import dev.nightshift.api.runtime.ExecRequest;
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
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A machine that is a pod: exec through its exec server ({@link ExecServerClient}), files as tar streams over exec,
 * terminals as tmux in the pod, ports by port-forward, snapshots as VolumeSnapshots of its
 * workspace PVC.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: {@link #close()} deletes the pod and every object
 * the machine owns; {@link #stop()} deletes only the pod.
 */
final class KubeMachine implements Machine {
    private static final Duration INTERNAL = Duration.ofMinutes(5);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private final Cluster cluster;
    private final String id;
    private final String podName;
    private final String user;
    private final String workdir;
    private final Map<String, String> env;
    private final Map<String, String> labels;
    private final List<Integer> ports;
    private final TmuxTerminals terminals;
    private final List<LocalPortForward> forwards = new ArrayList<>();
    private List<PortMapping> mappings;

    KubeMachine(Cluster cluster, String id, String podName, String user, String workdir, Map<String, String> env,
            Map<String, String> labels, List<Integer> ports) {
        this.cluster = cluster;
        this.id = id;
        this.podName = podName;
        this.user = user;
        this.workdir = workdir;
        this.env = Map.copyOf(env);
        this.labels = Map.copyOf(labels);
        this.ports = List.copyOf(ports);
        this.terminals = new TmuxTerminals(id, user, workdir, this.env, (command, asUser, timeout) -> run(command, asUser,
                null, timeout), this::attachCommand);
    }

    /** kubectl exec has no user flag: runuser switches to the machine's user, whose tmux server it is. */
    private List<String> attachCommand(String target) {
        List<String> cmd = new ArrayList<>(List.of("kubectl"));
        if (cluster.settings().kubeContext() != null) {
            cmd.add("--context");
            cmd.add(cluster.settings().kubeContext());
        }
        cmd.addAll(List.of("-n", cluster.settings().namespace(), "exec", "-it", podName, "-c", Manifests.CONTAINER, "--",
                "runuser", "-u", user, "--", "tmux", "attach", "-t", target));
        return cmd;
    }

    @Override
    public String id() {
        return id;
    }

    String podName() {
        return podName;
    }

    Cluster cluster() {
        return cluster;
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

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    @Override
    public MachineState state() {
        return cluster.state(id);
    }

    /** The spec's environment (unless the request overrides it) and the request's, as {@code K=V}. */
    List<String> execEnv(ExecRequest request) {
        return ExecServerClient.environment(env, request);
    }

    @Override
    public ExecHandle exec(ExecRequest request) {
        String asUser = request.user() != null ? request.user() : user;
        String dir = request.workdir() != null ? request.workdir() : workdir;
        for (int attempt = 0; attempt < 2; attempt++) {
            ExecHandle e = cluster.server(this).exec(request, asUser, dir, execEnv(request));
            if (e != null) {
                return e;
            }
        }
        throw new NightshiftException("machine " + id + ": its exec server ended twice while starting " + request.command());
    }

    /** Runs an internal command to its end, output fully buffered (small outputs, or files). */
    CommandOutput run(List<String> command, String asUser, byte[] stdin, Duration timeout) {
        OutputCollector collect = new OutputCollector();
        ExecHandle h = exec(ExecRequest.builder(command).user(asUser).stdin(stdin).timeout(timeout)
                .listener(collect).tailBytes(0).build());
        return collect.await(h, id, command.get(0), timeout, e -> e);
    }

    @Override
    public byte[] readFile(String path) {
        CommandOutput r = run(List.of("sh", "-c", "test -f \"$1\" || exit 44; exec cat -- \"$1\"", "sh", path), "root",
                null, INTERNAL);
        if (r.exit() == 44) {
            throw new NotFoundException("no file " + path + " in machine " + id);
        }
        check(r, "reading " + path);
        return r.stdout();
    }

    @Override
    public void writeFile(String path, byte[] content) {
        CommandOutput r = run(List.of("sh", "-c", "mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\" && chmod 0644 -- \"$1\""
                + " && chown -- \"$2\" \"$1\"", "sh", path, user), "root", content, INTERNAL);
        check(r, "writing " + path);
    }

    @Override
    public void copyIn(Path hostPath, String machineDir) {
        CommandOutput ids = run(List.of("sh", "-c", "id -u \"$1\"; id -g \"$1\"", "sh", user), "root", null, INTERNAL);
        check(ids, "looking up user " + user);
        String[] uidGid = ids.out().strip().split("\\s+");
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try {
            if (Files.isDirectory(hostPath)) {
                Tars.writeTree(hostPath, tar, Integer.parseInt(uidGid[0]), Integer.parseInt(uidGid[1]));
            } else {
                tar.write(Tars.singleFile(hostPath.getFileName().toString(), Files.readAllBytes(hostPath),
                        Integer.parseInt(uidGid[0]), Integer.parseInt(uidGid[1]), 0644));
            }
        } catch (IOException e) {
            throw new NightshiftException("could not read " + hostPath + " to copy it into machine " + id + ": " + e, e);
        }
        CommandOutput r = run(List.of("sh", "-c", "mkdir -p -- \"$1\" && chown -- \"$2\" \"$1\" && tar -x -p -C \"$1\"", "sh",
                machineDir, user), "root", tar.toByteArray(), INTERNAL);
        check(r, "copying into " + machineDir);
    }

    @Override
    public void copyOut(String machinePath, Path hostDir) {
        CommandOutput r = run(List.of("sh", "-c", "test -e \"$1\" || exit 44; cd -- \"$(dirname -- \"$1\")\" && exec tar -c -- \"$(basename -- \"$1\")\"",
                "sh", machinePath), "root", null, INTERNAL);
        if (r.exit() == 44) {
            throw new NotFoundException("no " + machinePath + " in machine " + id);
        }
        check(r, "copying out " + machinePath);
        SafeTar.extract(new ByteArrayInputStream(r.stdout()), hostDir);
    }

    private void check(CommandOutput r, String what) {
        if (!r.ok()) {
            throw new NightshiftException(what + " failed in machine " + id + " (exit " + r.exit() + "): " + r.stderr().strip());
        }
    }

    @Override
    public Terminals terminals() {
        return terminals;
    }

    @Override
    public synchronized List<PortMapping> ports() {
        if (mappings == null) {
            List<PortMapping> out = new ArrayList<>();
            for (int port : ports) {
                LocalPortForward f = cluster.client().pods().inNamespace(cluster.namespace()).withName(podName)
                        .portForward(port);
                forwards.add(f);
                out.add(new PortMapping(port, f.getLocalAddress().getHostAddress(), f.getLocalPort()));
            }
            mappings = List.copyOf(out);
        }
        return mappings;
    }

    synchronized void closePortForwards() {
        for (LocalPortForward f : forwards) {
            try {
                f.close();
            } catch (IOException ignored) {
                // the forward's socket is closed either way
            }
        }
        forwards.clear();
        mappings = null;
    }

    /** The PVC mounted at /workspace: the runtime's own, or the one a warm pool's template made. */
    String workspaceClaim() {
        Pod pod = cluster.pod(id).orElseThrow(() -> new NightshiftException("machine " + id + " has no pod"));
        return pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(Volume::getPersistentVolumeClaim).map(c -> c.getClaimName()).findFirst()
                .orElseThrow(() -> new NightshiftException("machine " + id + " has no workspace volume to snapshot"));
    }

    @Override
    public SnapshotInfo snapshot(Map<String, String> extra) {
        Instant now = Instant.now();
        String snapshotId = "snapshot-" + DAY.format(now) + "-" + UUID.randomUUID();
        Map<String, String> all = new LinkedHashMap<>(extra);
        all.put(KubeLabels.MANAGED, "true");
        all.put(KubeLabels.SNAPSHOT, snapshotId);
        all.put(KubeLabels.SNAPSHOT_SOURCE, id);
        all.put(KubeLabels.SNAPSHOT_CREATED, now.toString());
        Map<String, String> notes = new LinkedHashMap<>();
        notes.put(KubeLabels.USER, user);
        var record = cluster.client().configMaps().inNamespace(cluster.namespace()).withName(id).get();
        if (record == null) {
            throw new NightshiftException("machine " + id + " is gone: nothing to snapshot");
        }
        notes.put(KubeLabels.IMAGE, KubeLabels.annotation(record, KubeLabels.IMAGE));
        cluster.client().genericKubernetesResources(Manifests.SNAPSHOTS).inNamespace(cluster.namespace())
                .resource(Manifests.snapshot(snapshotId, workspaceClaim(), cluster.settings(), all, notes)).create();
        return new SnapshotInfo(snapshotId, snapshotId, now, all);
    }

    @Override
    public SnapshotInfo hibernate(Map<String, String> extra) {
        SnapshotInfo s = snapshot(extra);
        close();
        return s;
    }

    @Override
    public void stop() {
        cluster.stopPod(id);
    }

    @Override
    public void updateEgress(EgressPolicy policy) {
        var record = cluster.client().configMaps().inNamespace(cluster.namespace()).withName(id).get();
        if (record == null) {
            throw new NightshiftException("machine " + id + " is gone");
        }
        boolean wasAll = "*".equals(record.getData() == null ? null : record.getData().get("egress"));
        if (wasAll != policy.allowAll()) {
            throw new UnsupportedOperationException("machine " + id + ": egress cannot cross between allow-all and"
                    + " restricted on a running machine (its NetworkPolicy is fixed at start)");
        }
        cluster.client().configMaps().inNamespace(cluster.namespace()).withName(id)
                .edit(c -> { c.getData().put("egress", Manifests.egress(policy)); return c; });
    }

    @Override
    public void close() {
        cluster.remove(id);
    }

    @Override
    public String toString() {
        return "KubeMachine[" + id + "]";
    }
}
