package dev.nightshift.kubernetes;

import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spi.Priority;
import dev.nightshift.kubernetes.internal.Cluster;
import dev.nightshift.kubernetes.internal.Settings;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link MachineRuntime} whose machines are pods on a Kubernetes cluster: each machine is a pod (or
 * an agent-sandbox {@code Sandbox} claimed from a {@code SandboxWarmPool}) with a PVC at
 * {@code /workspace}, owned by a per-machine ConfigMap so that deleting it removes everything;
 * exec through the pod exec API speaking the Docker runtime's exec-server protocol; snapshots as
 * CSI {@code VolumeSnapshot}s of the workspace. {@code docs/kubernetes.md} has the design, the
 * RBAC it needs and what is not implemented (image builds in the cluster, the egress proxy).
 *
 * <p>Tested against fabric8's mock API server only; never run against a real cluster by this
 * project's CI. Its {@link Priority} is below the Docker runtime's, so with both on the classpath
 * Docker stays the default; choose this one explicitly, or with
 * {@code NIGHTSHIFT_RUNTIME=dev.nightshift.kubernetes.KubernetesRuntime} (configured by the
 * {@code NIGHTSHIFT_KUBE_*} variables of {@link Builder#fromEnvironment}).
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> {@link #close()} stops exec servers
 * and port forwards and closes the client it made; machines stay until closed themselves.
 *
 * <pre>{@code
 * try (MachineRuntime runtime = KubernetesRuntime.builder().namespace("agents").storageClass("fast").build();
 *         Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").user("ubuntu").build())) {
 *     m.exec(ExecRequest.of("true")).await();
 * }
 * }</pre>
 */
@Priority(-10)
public final class KubernetesRuntime implements MachineRuntime {
    /** The default base image, as on Docker; prefixed with {@link Builder#registryPrefix}. */
    public static final String DEFAULT_BASE_IMAGE = "nightshift/default:trixie";

    private final Cluster cluster;

    /** A runtime configured from the environment ({@link Builder#fromEnvironment}); used by {@code NIGHTSHIFT_RUNTIME}. */
    public KubernetesRuntime() {
        this(Builder.fromEnvironment(System.getenv()));
    }

    private KubernetesRuntime(Builder b) {
        KubernetesClient client = b.client;
        boolean owns = client == null;
        if (client == null) {
            client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(b.context)).build();
        }
        String namespace = b.namespace != null ? b.namespace
                : Optional.ofNullable(client.getNamespace()).orElse("default");
        this.cluster = new Cluster(client, owns, new Settings(namespace, b.registryPrefix, b.storageClass,
                b.workspaceSize, b.snapshotClass, b.warmPools, b.egressProxy, b.egressProxyLabels, b.startTimeout,
                b.allowPrivileged, b.context));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The namespace machines live in. */
    public String namespace() {
        return cluster.settings().namespace();
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    /**
     * The default base (with the registry prefix), a reference (pulled by the kubelet when a
     * machine starts), or a snapshot. A Dockerfile build is designed (an in-cluster BuildKit or
     * Kaniko job, docs/kubernetes.md) but not implemented: it fails with a
     * {@link BuildFailedException} saying so.
     */
    @Override
    public Image prepareImage(ImageSource source, Consumer<String> output) {
        if (source instanceof ImageSource.DefaultBase) {
            String ref = cluster.settings().registryPrefix() + DEFAULT_BASE_IMAGE;
            return new Image(ref, ref, Map.of());
        }
        if (source instanceof ImageSource.Reference r) {
            return new Image(r.reference(), r.reference(), Map.of());
        }
        if (source instanceof ImageSource.Snapshot s) {
            SnapshotInfo info = cluster.findSnapshot(s.snapshotId()).orElseThrow(() ->
                    new NotFoundException("no snapshot " + s.snapshotId() + " in namespace " + namespace()));
            return new Image(info.id(), info.id(), info.labels());
        }
        throw new BuildFailedException("the Kubernetes runtime cannot build Dockerfiles yet (an in-cluster builder"
                + " job is designed in docs/kubernetes.md, not implemented): build and push the image, then name it"
                + " with ImageSource.reference", List.of());
    }

    @Override
    public Machine start(MachineSpec spec) {
        return cluster.start(spec);
    }

    @Override
    public Optional<Machine> attach(String machineId) {
        return cluster.attach(machineId);
    }

    @Override
    public List<MachineInfo> machines(Map<String, String> labels) {
        return cluster.machines(labels);
    }

    @Override
    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        return cluster.findSnapshot(snapshotId);
    }

    @Override
    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        return cluster.snapshots(labels);
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        cluster.deleteSnapshot(snapshotId);
    }

    /** Whether an egress proxy is configured: without one only a deny-all policy can be enforced (and is). */
    @Override
    public boolean enforcesEgress() {
        return cluster.settings().egressProxy() != null;
    }

    @Override
    public void close() {
        cluster.close();
    }

    /**
     * Builds a {@link KubernetesRuntime}.
     *
     * <p><b>Thread-safety:</b> not thread-safe. <b>Lifecycle:</b> reusable; each {@link #build()}
     * makes a runtime (with its own client unless {@link #client} was given).
     */
    public static final class Builder {
        private KubernetesClient client;
        private String context;
        private String namespace;
        private String registryPrefix = "";
        private String storageClass;
        private String workspaceSize = "10Gi";
        private String snapshotClass;
        private final Map<String, Settings.WarmPool> warmPools = new LinkedHashMap<>();
        private String egressProxy;
        private Map<String, String> egressProxyLabels = Map.of();
        private Duration startTimeout = Duration.ofMinutes(5);
        private boolean allowPrivileged;

        private Builder() {
        }

        /**
         * A builder from {@code NIGHTSHIFT_KUBE_CONTEXT}, {@code NIGHTSHIFT_KUBE_NAMESPACE},
         * {@code NIGHTSHIFT_KUBE_REGISTRY} (image prefix), {@code NIGHTSHIFT_KUBE_STORAGE_CLASS},
         * {@code NIGHTSHIFT_KUBE_WORKSPACE_SIZE}, {@code NIGHTSHIFT_KUBE_SNAPSHOT_CLASS},
         * {@code NIGHTSHIFT_KUBE_EGRESS_PROXY} ({@code host:port}),
         * {@code NIGHTSHIFT_KUBE_EGRESS_PROXY_LABELS} ({@code k=v,k=v}) and
         * {@code NIGHTSHIFT_KUBE_WARM_POOLS} ({@code image=template/pool;...}); unset ones keep the
         * defaults. A malformed value is an {@link IllegalArgumentException} naming the variable.
         */
        public static Builder fromEnvironment(Map<String, String> env) {
            Builder b = new Builder();
            b.context = blankToNull(env.get("NIGHTSHIFT_KUBE_CONTEXT"));
            b.namespace = blankToNull(env.get("NIGHTSHIFT_KUBE_NAMESPACE"));
            Optional.ofNullable(blankToNull(env.get("NIGHTSHIFT_KUBE_REGISTRY"))).ifPresent(b::registryPrefix);
            b.storageClass = blankToNull(env.get("NIGHTSHIFT_KUBE_STORAGE_CLASS"));
            Optional.ofNullable(blankToNull(env.get("NIGHTSHIFT_KUBE_WORKSPACE_SIZE"))).ifPresent(b::workspaceSize);
            b.snapshotClass = blankToNull(env.get("NIGHTSHIFT_KUBE_SNAPSHOT_CLASS"));
            String proxy = blankToNull(env.get("NIGHTSHIFT_KUBE_EGRESS_PROXY"));
            if (proxy != null) {
                b.egressProxy(proxy, pairs("NIGHTSHIFT_KUBE_EGRESS_PROXY_LABELS",
                        env.getOrDefault("NIGHTSHIFT_KUBE_EGRESS_PROXY_LABELS", ""), ",", "="));
            }
            pairs("NIGHTSHIFT_KUBE_WARM_POOLS", env.getOrDefault("NIGHTSHIFT_KUBE_WARM_POOLS", ""), ";", "=")
                    .forEach((image, pool) -> {
                        int slash = pool.indexOf('/');
                        if (slash <= 0 || slash == pool.length() - 1) {
                            throw new IllegalArgumentException("NIGHTSHIFT_KUBE_WARM_POOLS: '" + image + "=" + pool
                                    + "' is not image=template/pool");
                        }
                        b.warmPool(image, pool.substring(0, slash), pool.substring(slash + 1));
                    });
            return b;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }

        private static Map<String, String> pairs(String variable, String value, String separator, String assign) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String entry : value.split(separator)) {
                if (entry.isBlank()) {
                    continue;
                }
                int at = entry.indexOf(assign);
                if (at <= 0 || at == entry.length() - 1) {
                    throw new IllegalArgumentException(variable + ": '" + entry.strip() + "' is not key" + assign + "value");
                }
                out.put(entry.substring(0, at).strip(), entry.substring(at + 1).strip());
            }
            return out;
        }

        /** A client to use (not closed by the runtime); default: one from the kube config or the pod's service account. */
        public Builder client(KubernetesClient value) { client = Objects.requireNonNull(value, "client"); return this; }

        /** The kube context of a client the runtime makes; default: the current one (in a pod: its service account). */
        public Builder context(String value) { context = value; return this; }

        /** The namespace of machines and snapshots; default: the client's, else {@code default}. */
        public Builder namespace(String value) { namespace = value; return this; }

        /** Prepended to the default base image, e.g. {@code registry.cluster.local:5000/}. Default none. */
        public Builder registryPrefix(String value) { registryPrefix = Objects.requireNonNull(value, "registryPrefix"); return this; }

        /** The storage class of workspace PVCs (it must have a CSI driver for snapshots); default: the cluster's. */
        public Builder storageClass(String value) { storageClass = value; return this; }

        /** The size of workspace PVCs, a Kubernetes quantity; default {@code 10Gi}. */
        public Builder workspaceSize(String value) { workspaceSize = Objects.requireNonNull(value, "workspaceSize"); return this; }

        /** The VolumeSnapshotClass of snapshots; default: the cluster's default class. */
        public Builder snapshotClass(String value) { snapshotClass = value; return this; }

        /**
         * Machines of {@code image} are claimed from agent-sandbox's warm pool {@code pool} of
         * {@code template} (a {@code SandboxClaim}); the template then decides image, limits and
         * volumes, so it must mount a PVC at /workspace.
         */
        public Builder warmPool(String image, String template, String pool) {
            warmPools.put(Objects.requireNonNull(image, "image"), new Settings.WarmPool(template, pool));
            return this;
        }

        /**
         * The allowlisting egress proxy restricted machines must go through ({@code host:port}),
         * and the labels of its pods (their NetworkPolicy allows only those, and DNS).
         */
        public Builder egressProxy(String hostPort, Map<String, String> podLabels) {
            if (hostPort == null || !hostPort.matches(".+:\\d{1,5}")) {
                throw new IllegalArgumentException("egressProxy must be host:port, not " + hostPort);
            }
            egressProxy = hostPort;
            egressProxyLabels = Map.copyOf(podLabels);
            return this;
        }

        /** How long a machine may take to run (image pull, volume provisioning); default 5 minutes. */
        public Builder startTimeout(Duration value) { startTimeout = Objects.requireNonNull(value, "startTimeout"); return this; }

        /** Whether specs may ask for a privileged pod. Default {@code false}. */
        public Builder allowPrivileged(boolean value) { allowPrivileged = value; return this; }

        public KubernetesRuntime build() {
            return new KubernetesRuntime(this);
        }
    }
}
