package dev.nightshift.kubernetes.internal;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NightshiftTimeoutException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.machine.ExecServerClient;
import dev.nightshift.api.runtime.SnapshotInfo;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes runtime's state and its operations on the cluster: starting machines (their
 * objects from {@link Manifests}), finding them by id or labels, and their exec servers.
 *
 * <p>Thread-safety: thread-safe. Lifecycle: one per runtime; {@link #close()} stops exec servers
 * and port forwards (machines stay, as on Docker) and closes the client if it made it.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
    private static final Duration READY_WAIT = Duration.ofSeconds(20);
    private static final Set<String> IMAGE_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError");
    private static final String HOST = host();
    /** How long an exec server may run nothing before it is stopped (as the Docker runtime's). */
    static final Duration IDLE = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ExecServerClient> servers = new ConcurrentHashMap<>();
    private final Map<String, KubeMachine> open = new ConcurrentHashMap<>();
    private final Map<String, Object> serverLocks = new ConcurrentHashMap<>();
    private final BiFunction<KubeMachine, List<String>, ExecTransport> transports;
    private volatile boolean closed;
    private volatile SharedIndexInformer<Pod> podInformer;

    public Cluster(KubernetesClient client, boolean ownsClient, Settings settings) {
        this(client, ownsClient, settings, (m, command) -> PodExecTransport.open(client, settings.namespace(),
                m.podName(), command), IDLE);
    }

    /** {@code transports} opens the exec server's streams in a machine (tests: a local process). */
    Cluster(KubernetesClient client, boolean ownsClient, Settings settings,
            BiFunction<KubeMachine, List<String>, ExecTransport> transports, Duration idle) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.settings = settings;
        this.transports = transports;
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "nightshift-kube-timers");
            t.setDaemon(true);
            return t;
        });
        // an idle machine holds no websocket through the API server: its server stops, the next exec starts one
        long every = Math.max(1, idle.toMillis() / 2);
        scheduler.scheduleWithFixedDelay(() -> retireIdle(idle), every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops the exec servers that ran nothing for {@code idle} (not a failure: the next exec starts one). */
    void retireIdle(Duration idle) {
        for (Map.Entry<String, ExecServerClient> e : servers.entrySet()) {
            ExecServerClient s = e.getValue();
            if (s.idleFor(idle) && servers.remove(e.getKey(), s)) {
                LOG.debug("machine {}: exec server idle for {}, stopped until the next exec", e.getKey(), idle);
                s.close();
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown-host");
        }
    }

    KubernetesClient client() {
        return client;
    }

    public Settings settings() {
        return settings;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    String namespace() {
        return settings.namespace();
    }

    /** Starts a machine; see {@code docs/kubernetes.md} for what it creates. */
    public Machine start(MachineSpec spec) {
        if (closed) {
            throw new IllegalStateException("the Kubernetes runtime is closed");
        }
        if (spec.privileged() && !settings.allowPrivileged()) {
            throw new IllegalStateException("a privileged machine was asked for, but this Kubernetes runtime does not"
                    + " allow them (KubernetesRuntime.Builder.allowPrivileged)");
        }
        if (!spec.egress().allowAll() && !spec.egress().hosts().isEmpty() && settings.egressProxy() == null) {
            throw new IllegalStateException("a machine restricted to " + spec.egress().hosts().size() + " hosts needs"
                    + " an egress proxy (KubernetesRuntime.Builder.egressProxy); without one only a deny-all policy"
                    + " is enforced");
        }
        String image = spec.image();
        String user = spec.user();
        String fromSnapshot = null;
        if (image.startsWith("snapshot-")) {
            GenericKubernetesResource s = snapshotObject(image).orElseThrow(() ->
                    new NotFoundException("no snapshot " + spec.image() + " in namespace " + namespace()));
            fromSnapshot = image;
            image = KubeLabels.annotation(s, KubeLabels.IMAGE);
            user = user != null ? user : KubeLabels.annotation(s, KubeLabels.USER);
        }
        user = user != null ? user : "root";
        String id = "nsm-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(KubeLabels.MANAGED, "true");
        labels.put(KubeLabels.MACHINE, id);
        labels.put(KubeLabels.OWNER_HOST, HOST);
        Settings.WarmPool pool = fromSnapshot == null ? settings.warmPools().get(image) : null;
        ConfigMap owner = client.configMaps().inNamespace(namespace())
                .resource(Manifests.owner(id, spec, image, user, labels)).create();
        OwnerReference ref = Manifests.ownedBy(owner);
        try {
            client.secrets().inNamespace(namespace()).resource(Manifests.envSecret(id, spec.env(), ref)).create();
            if (!spec.egress().allowAll()) {
                client.network().v1().networkPolicies().inNamespace(namespace())
                        .resource(Manifests.egressPolicy(id, settings, ref)).create();
            }
            if (pool != null) {
                client.genericKubernetesResources(Manifests.CLAIMS).inNamespace(namespace())
                        .resource(Manifests.claim(id, pool, labels, ref)).create();
            } else {
                client.persistentVolumeClaims().inNamespace(namespace())
                        .resource(Manifests.workspace(id, settings, fromSnapshot, ref)).create();
                client.pods().inNamespace(namespace())
                        .resource(Manifests.pod(id, spec, image, settings, labels, ref)).create();
            }
            Pod pod = awaitRunning(id);
            KubeMachine m = new KubeMachine(this, id, pod.getMetadata().getName(), user, spec.workdir(), spec.env(),
                    labels, spec.ports());
            open.put(id, m);
            return m;
        } catch (RuntimeException e) {
            remove(id);
            throw e instanceof KubernetesClientException k ? translate(k, "starting machine " + id) : e;
        }
    }

    /** The machine's pod: named after it, or (claimed from a warm pool) carrying its label. */
    Optional<Pod> pod(String id) {
        Pod named = client.pods().inNamespace(namespace()).withName(id).get();
        if (named != null) {
            return Optional.of(named);
        }
        return client.pods().inNamespace(namespace()).withLabel(KubeLabels.MACHINE, id).list().getItems().stream()
                .findFirst();
    }

    private Pod awaitRunning(String id) {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        String last = "no pod yet";
        while (System.nanoTime() < deadline) {
            Optional<Pod> pod = watchedPod(id);
            if (pod.isPresent()) {
                Pod p = pod.get();
                String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                if ("Running".equals(phase)) {
                    return p;
                }
                if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
                    throw new EnvironmentUnavailableException("machine " + id + " ended before it ran: pod phase "
                            + phase + reason(p));
                }
                for (ContainerStatus c : p.getStatus() == null ? List.<ContainerStatus>of()
                        : p.getStatus().getContainerStatuses()) {
                    if (c.getState() != null && c.getState().getWaiting() != null
                            && IMAGE_FAILURES.contains(c.getState().getWaiting().getReason())) {
                        throw new EnvironmentUnavailableException("machine " + id + " cannot start its image: "
                                + c.getState().getWaiting().getReason() + ": " + c.getState().getWaiting().getMessage());
                    }
                }
                last = "pod phase " + phase + reason(p);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NightshiftException("interrupted while starting machine " + id, e);
            }
        }
        throw new NightshiftTimeoutException("machine " + id + " did not run within " + settings.startTimeout() + " ("
                + last + ")");
    }

    /**
     * The machine's pod as the runtime's one watch of its pods last saw it (no request per
     * starting machine: a burst of starts polls memory, not the API server); asked of the API
     * while that watch has not synced.
     */
    private Optional<Pod> watchedPod(String id) {
        SharedIndexInformer<Pod> informer = podInformer();
        if (informer == null || !informer.hasSynced()) {
            return pod(id);
        }
        return informer.getStore().list().stream()
                .filter(p -> p.getMetadata().getLabels() != null && id.equals(p.getMetadata().getLabels().get(KubeLabels.MACHINE)))
                .findFirst();
    }

    private SharedIndexInformer<Pod> podInformer() {
        SharedIndexInformer<Pod> i = podInformer;
        if (i == null && !closed) {
            synchronized (this) {
                if (podInformer == null && !closed) {
                    try {
                        podInformer = client.pods().inNamespace(namespace()).withLabel(KubeLabels.MANAGED, "true")
                                .runnableInformer(0);
                        podInformer.start();
                    } catch (KubernetesClientException e) {
                        LOG.debug("no watch of the machines' pods ({}): starts ask the API", e.getMessage());
                    }
                }
                i = podInformer;
            }
        }
        return i;
    }

    private static String reason(Pod p) {
        if (p.getStatus() == null || p.getStatus().getReason() == null) {
            return "";
        }
        return " (" + p.getStatus().getReason() + ": " + p.getStatus().getMessage() + ")";
    }

    MachineState state(String id) {
        if (client.configMaps().inNamespace(namespace()).withName(id).get() == null) {
            return MachineState.GONE;
        }
        return pod(id).map(Cluster::state).orElse(MachineState.STOPPED);
    }

    private static MachineState state(Pod p) {
        return p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && p.getMetadata().getDeletionTimestamp() == null
                ? MachineState.RUNNING : MachineState.STOPPED;
    }

    /** Deletes every object of machine {@code id} (the garbage collector would; the API is asked directly). */
    void remove(String id) {
        ExecServerClient s = servers.remove(id);
        if (s != null) {
            s.close();
        }
        serverLocks.remove(id);
        KubeMachine m = open.remove(id);
        if (m != null) {
            m.closePortForwards();
        }
        String ns = namespace();
        deletePods(id);
        quietly(() -> client.genericKubernetesResources(Manifests.CLAIMS).inNamespace(ns).withName(id).delete());
        quietly(() -> client.network().v1().networkPolicies().inNamespace(ns).withName(Manifests.policyName(id)).delete());
        quietly(() -> client.persistentVolumeClaims().inNamespace(ns).withName(Manifests.workspaceName(id)).delete());
        quietly(() -> client.secrets().inNamespace(ns).withName(Manifests.envSecretName(id)).delete());
        quietly(() -> client.configMaps().inNamespace(ns).withName(id).delete());
    }

    /** Deletes the pod only: the workspace and the machine's record stay ({@link MachineState#STOPPED}). */
    void stopPod(String id) {
        ExecServerClient s = servers.remove(id);
        if (s != null) {
            s.close();
        }
        deletePods(id);
    }

    /** The machine's pod: by name, and by label for one a warm pool's controller named. */
    private void deletePods(String id) {
        quietly(() -> client.pods().inNamespace(namespace()).withName(id).withGracePeriod(0).delete());
        // listed, then deleted by name: the Role needs no deletecollection
        for (Pod p : client.pods().inNamespace(namespace()).withLabel(KubeLabels.MACHINE, id).list().getItems()) {
            quietly(() -> client.pods().inNamespace(namespace()).withName(p.getMetadata().getName()).withGracePeriod(0)
                    .delete());
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw translate(e, "removing a machine");
            }
        }
    }

    static NightshiftException translate(KubernetesClientException e, String what) {
        if (e.getCode() == 403) {
            return new EnvironmentUnavailableException(what + " was forbidden by the cluster (check the runtime's Role,"
                    + " deploy/kubernetes/role.yaml): " + e.getMessage(), e);
        }
        return new NightshiftException(what + " failed: " + e.getMessage(), e);
    }

    /** The running exec server of {@code m}, started when there is none. */
    ExecServerClient server(KubeMachine m) {
        ExecServerClient s = servers.get(m.id());
        if (s != null && s.alive()) {
            return s;
        }
        // one lock per machine id: attach makes a new object for the same machine
        synchronized (serverLocks.computeIfAbsent(m.id(), k -> new Object())) {
            s = servers.get(m.id());
            if (s != null && s.alive()) {
                return s;
            }
            MachineState state = state(m.id());
            if (state != MachineState.RUNNING) {
                throw new NightshiftException("machine " + m.id() + " is " + state.name().toLowerCase() + ": it cannot run commands");
            }
            ExecServerClient started = PodExecServer.start(m.id(), transports.apply(m, ExecServerClient.COMMAND),
                    scheduler, READY_WAIT,
                    gone -> servers.remove(m.id(), gone));
            servers.put(m.id(), started);
            return started;
        }
    }

    public Optional<Machine> attach(String id) {
        ConfigMap record = client.configMaps().inNamespace(namespace()).withName(id).get();
        if (record == null || !"true".equals(labelOf(record, KubeLabels.MANAGED))) {
            return Optional.empty();
        }
        Optional<Pod> pod = pod(id);
        if (pod.isEmpty() || state(pod.get()) != MachineState.RUNNING) {
            return Optional.empty();
        }
        Secret env = client.secrets().inNamespace(namespace()).withName(Manifests.envSecretName(id)).get();
        String ports = KubeLabels.annotation(record, KubeLabels.PORTS);
        List<Integer> portList = ports == null || ports.isBlank() ? List.of()
                : java.util.Arrays.stream(ports.split(",")).map(Integer::parseInt).toList();
        KubeMachine m = new KubeMachine(this, id, pod.get().getMetadata().getName(),
                KubeLabels.annotation(record, KubeLabels.USER), KubeLabels.annotation(record, KubeLabels.WORKDIR),
                decode(env), KubeLabels.of(record), portList);
        return Optional.of(m);
    }

    private static Map<String, String> decode(Secret secret) {
        Map<String, String> out = new LinkedHashMap<>();
        if (secret != null && secret.getData() != null) {
            secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret != null && secret.getStringData() != null) {
            out.putAll(secret.getStringData());
        }
        return out;
    }

    private static String labelOf(ConfigMap c, String key) {
        return c.getMetadata().getLabels() == null ? null : c.getMetadata().getLabels().get(key);
    }

    public List<MachineInfo> machines(Map<String, String> labels) {
        Map<String, String> selector = new HashMap<>(KubeLabels.kubernetes(labels));
        selector.put(KubeLabels.MANAGED, "true");
        Map<String, Pod> pods = new HashMap<>();
        client.pods().inNamespace(namespace()).withLabel(KubeLabels.MANAGED, "true").list().getItems()
                .forEach(p -> pods.put(p.getMetadata().getLabels().get(KubeLabels.MACHINE), p));
        return client.configMaps().inNamespace(namespace()).withLabels(selector).list().getItems().stream()
                .filter(c -> KubeLabels.matches(c, labels))
                .map(c -> {
                    String id = c.getMetadata().getName();
                    Pod p = pods.get(id);
                    return new MachineInfo(id, p == null ? MachineState.STOPPED : state(p),
                            KubeLabels.annotation(c, KubeLabels.IMAGE), created(c.getMetadata().getCreationTimestamp()),
                            KubeLabels.of(c));
                }).toList();
    }

    private static Instant created(String timestamp) {
        return timestamp == null ? Instant.EPOCH : Instant.parse(timestamp);
    }

    Optional<GenericKubernetesResource> snapshotObject(String snapshotId) {
        GenericKubernetesResource r = client.genericKubernetesResources(Manifests.SNAPSHOTS).inNamespace(namespace())
                .withName(snapshotId).get();
        return Optional.ofNullable(r).filter(s -> "true".equals(s.getMetadata().getLabels() == null ? null
                : s.getMetadata().getLabels().get(KubeLabels.MANAGED)));
    }

    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        return snapshotObject(snapshotId).map(Cluster::snapshotInfo);
    }

    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        Map<String, String> selector = new HashMap<>(KubeLabels.kubernetes(labels));
        selector.put(KubeLabels.MANAGED, "true");
        return client.genericKubernetesResources(Manifests.SNAPSHOTS).inNamespace(namespace()).withLabels(selector)
                .list().getItems().stream().filter(s -> KubeLabels.matches(s, labels)).map(Cluster::snapshotInfo).toList();
    }

    static SnapshotInfo snapshotInfo(GenericKubernetesResource s) {
        Map<String, String> labels = KubeLabels.of(s);
        String created = labels.get(KubeLabels.SNAPSHOT_CREATED);
        return new SnapshotInfo(s.getMetadata().getName(), s.getMetadata().getName(),
                created != null ? Instant.parse(created) : created(s.getMetadata().getCreationTimestamp()), labels);
    }

    public void deleteSnapshot(String snapshotId) {
        if (snapshotObject(snapshotId).isPresent()) {
            quietly(() -> client.genericKubernetesResources(Manifests.SNAPSHOTS).inNamespace(namespace())
                    .withName(snapshotId).delete());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List.copyOf(servers.values()).forEach(ExecServerClient::close);
        servers.clear();
        synchronized (this) {
            if (podInformer != null) {
                podInformer.close();
            }
        }
        List.copyOf(open.values()).forEach(KubeMachine::closePortForwards);
        open.clear();
        scheduler.shutdownNow();
        if (ownsClient) {
            client.close();
        }
        LOG.debug("Kubernetes runtime on namespace {} closed", namespace());
    }
}
