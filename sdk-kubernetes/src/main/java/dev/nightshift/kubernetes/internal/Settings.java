package dev.nightshift.kubernetes.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@code KubernetesRuntime} was built with.
 *
 * <p>Thread-safety: immutable. Lifecycle: a value, one per runtime.
 *
 * @param namespace where machines, their claims and snapshots live
 * @param registryPrefix prepended to the default base image ({@code ""}: none)
 * @param storageClass the workspace PVC's storage class, or {@code null} for the cluster's default
 * @param workspaceSize the workspace PVC's size (a quantity such as {@code 10Gi})
 * @param snapshotClass the VolumeSnapshotClass, or {@code null} for the cluster's default
 * @param warmPools image → agent-sandbox pool: a machine of that image is claimed from it
 * @param egressProxy {@code host:port} of the allowlisting egress proxy, or {@code null}
 * @param egressProxyLabels labels of the proxy's pods (what a restricted machine may reach)
 * @param startTimeout how long a pod (or claim) may take to run
 * @param allowPrivileged whether a privileged spec is allowed
 * @param kubeContext the kube context named ({@code null}: the current one), for attach commands
 */
public record Settings(String namespace, String registryPrefix, String storageClass, String workspaceSize,
        String snapshotClass, Map<String, WarmPool> warmPools, String egressProxy, Map<String, String> egressProxyLabels,
        Duration startTimeout, boolean allowPrivileged, String kubeContext) {

    /** An agent-sandbox {@code SandboxWarmPool} and the {@code SandboxTemplate} it serves. */
    public record WarmPool(String template, String pool) {
        public WarmPool {
            Objects.requireNonNull(template, "template");
            Objects.requireNonNull(pool, "pool");
        }
    }

    public Settings {
        Objects.requireNonNull(namespace, "namespace");
        registryPrefix = registryPrefix == null ? "" : registryPrefix;
        Objects.requireNonNull(workspaceSize, "workspaceSize");
        warmPools = warmPools == null ? Map.of() : Map.copyOf(warmPools);
        egressProxyLabels = egressProxyLabels == null ? Map.of() : Map.copyOf(egressProxyLabels);
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
    }
}
