package dev.nightshift.kubernetes.internal;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.ResourceLimits;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The cluster objects of one machine, as the design in {@code docs/kubernetes.md} says: a
 * ConfigMap that owns everything else (so deleting it lets the garbage collector remove the
 * rest), a Secret with the spec's environment, a PVC for {@code /workspace}, the pod (or an
 * agent-sandbox {@code SandboxClaim}), and a NetworkPolicy when egress is restricted.
 *
 * <p>Thread-safety: stateless. Lifecycle: static.
 */
final class Manifests {
    static final String CONTAINER = "machine";
    static final String WORKSPACE = "/workspace";
    /** PID 1 of every machine, as on Docker: sleeps, reaps orphans, and stops at once on SIGTERM. */
    static final String INIT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";
    /** Capabilities a machine keeps: what root in it needs to act as other users and own files. */
    static final List<String> CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID");

    static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder()
            .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshot")
            .withPlural("volumesnapshots").withNamespaced(true).build();
    static final ResourceDefinitionContext CLAIMS = new ResourceDefinitionContext.Builder()
            .withGroup("extensions.agents.x-k8s.io").withVersion("v1alpha1").withKind("SandboxClaim")
            .withPlural("sandboxclaims").withNamespaced(true).build();

    private Manifests() {
    }

    static String envSecretName(String id) {
        return id + "-env";
    }

    static String workspaceName(String id) {
        return id + "-workspace";
    }

    static String policyName(String id) {
        return id + "-egress";
    }

    /** Kubernetes labels of every object of machine {@code id}. */
    static Map<String, String> selectorLabels(String id) {
        return Map.of(KubeLabels.MANAGED, "true", KubeLabels.MACHINE, id);
    }

    private static Map<String, String> objectLabels(String id, Map<String, String> labels) {
        Map<String, String> out = new LinkedHashMap<>(KubeLabels.kubernetes(labels));
        out.putAll(selectorLabels(id));
        return out;
    }

    /** The machine's record and the owner of its other objects. */
    static ConfigMap owner(String id, MachineSpec spec, String image, String user, Map<String, String> labels) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(KubeLabels.LABELS, KubeLabels.json(labels));
        annotations.put(KubeLabels.IMAGE, image);
        annotations.put(KubeLabels.USER, user);
        if (spec.workdir() != null) {
            annotations.put(KubeLabels.WORKDIR, spec.workdir());
        }
        annotations.put(KubeLabels.PORTS, spec.ports().stream().map(String::valueOf).collect(Collectors.joining(",")));
        return new ConfigMapBuilder().withNewMetadata().withName(id).withLabels(objectLabels(id, labels))
                .withAnnotations(annotations).endMetadata()
                .addToData("egress", egress(spec.egress()))
                .build();
    }

    static String egress(EgressPolicy policy) {
        return policy.allowAll() ? "*" : policy.hosts().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    static OwnerReference ownedBy(ConfigMap owner) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(true).withController(true).build();
    }

    static Secret envSecret(String id, Map<String, String> env, OwnerReference owner) {
        return new SecretBuilder().withNewMetadata().withName(envSecretName(id)).withLabels(selectorLabels(id))
                .withOwnerReferences(owner).endMetadata()
                .withType("Opaque").withImmutable(true).withStringData(new LinkedHashMap<>(env)).build();
    }

    static PersistentVolumeClaim workspace(String id, Settings settings, String fromSnapshot, OwnerReference owner) {
        PersistentVolumeClaimBuilder b = new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName(workspaceName(id)).withLabels(selectorLabels(id)).withOwnerReferences(owner).endMetadata();
        var spec = b.withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(settings.storageClass())
                .withNewResources().addToRequests("storage", new Quantity(settings.workspaceSize())).endResources();
        if (fromSnapshot != null) {
            spec.withNewDataSource().withApiGroup(SNAPSHOTS.getGroup()).withKind(SNAPSHOTS.getKind())
                    .withName(fromSnapshot).endDataSource();
        }
        return spec.endSpec().build();
    }

    static Pod pod(String id, MachineSpec spec, String image, Settings settings, Map<String, String> labels,
            OwnerReference owner) {
        // no limits in the spec: this runtime's default
        ResourceLimits limits = spec.limits().orElse(ResourceLimits.DEFAULT);
        Map<String, Quantity> max = Map.of("cpu", cpu(limits.cpus()), "memory", new Quantity(Long.toString(limits.memoryBytes())));
        // burstable: a quarter of the CPU is reserved, all of the memory (memory cannot be taken back)
        Map<String, Quantity> reserved = Map.of("cpu", cpu(limits.cpus() / 4), "memory", max.get("memory"));
        List<EnvVar> env = new ArrayList<>();
        if (!spec.egress().allowAll() && settings.egressProxy() != null) {
            String url = "http://" + settings.egressProxy();
            for (String name : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
                env.add(new EnvVar(name, url, null));
            }
            env.add(new EnvVar("NO_PROXY", "localhost,127.0.0.1", null));
            env.add(new EnvVar("no_proxy", "localhost,127.0.0.1", null));
        }
        ContainerBuilder c = new ContainerBuilder().withName(CONTAINER).withImage(image)
                .withCommand("/bin/sh", "-c", INIT).withWorkingDir(spec.workdir()).withEnv(env)
                .addNewEnvFrom().withNewSecretRef().withName(envSecretName(id)).endSecretRef().endEnvFrom()
                .withNewResources().withLimits(max).withRequests(reserved).endResources()
                .addNewVolumeMount().withName("workspace").withMountPath(WORKSPACE).endVolumeMount()
                .withSecurityContext(new SecurityContextBuilder().withPrivileged(spec.privileged())
                        .withAllowPrivilegeEscalation(spec.privileged())
                        .withNewCapabilities().withDrop(spec.privileged() ? List.of() : List.of("ALL"))
                        .withAdd(spec.privileged() ? List.of() : CAPABILITIES).endCapabilities()
                        .withNewSeccompProfile().withType(spec.privileged() ? "Unconfined" : "RuntimeDefault")
                        .endSeccompProfile().build());
        return new PodBuilder().withNewMetadata().withName(id).withLabels(objectLabels(id, labels))
                .withAnnotations(Map.of(KubeLabels.LABELS, KubeLabels.json(labels))).withOwnerReferences(owner)
                .endMetadata()
                .withNewSpec().withHostname(id).withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false).withTerminationGracePeriodSeconds(5L)
                .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(c.build())
                .addNewVolume().withName("workspace").withNewPersistentVolumeClaim().withClaimName(workspaceName(id))
                .endPersistentVolumeClaim().endVolume()
                .endSpec().build();
    }

    private static Quantity cpu(double cpus) {
        long milli = Math.max(1, Math.round(cpus * 1000));
        return new Quantity(BigDecimal.valueOf(milli) + "m");
    }

    /**
     * Where a restricted machine may connect: nowhere but the egress proxy's pods (and DNS to find
     * it), whose allowlist decides the rest; nothing at all without a proxy. No ingress from other
     * pods either (port-forward reaches the pod through the kubelet, not the pod network).
     */
    static NetworkPolicy egressPolicy(String id, Settings settings, OwnerReference owner) {
        List<NetworkPolicyEgressRule> rules = new ArrayList<>();
        if (settings.egressProxy() != null) {
            int port = Integer.parseInt(settings.egressProxy().substring(settings.egressProxy().lastIndexOf(':') + 1));
            rules.add(new NetworkPolicyEgressRuleBuilder()
                    .addNewTo().withNewNamespaceSelector().endNamespaceSelector().withNewPodSelector()
                    .withMatchLabels(settings.egressProxyLabels()).endPodSelector().endTo()
                    .addNewPort().withProtocol("TCP").withPort(new IntOrString(port)).endPort().build());
            rules.add(new NetworkPolicyEgressRuleBuilder()
                    .addNewTo().withNewNamespaceSelector().endNamespaceSelector().withNewPodSelector()
                    .withMatchLabels(Map.of("k8s-app", "kube-dns")).endPodSelector().endTo()
                    .addNewPort().withProtocol("UDP").withPort(new IntOrString(53)).endPort()
                    .addNewPort().withProtocol("TCP").withPort(new IntOrString(53)).endPort().build());
        }
        return new NetworkPolicyBuilder().withNewMetadata().withName(policyName(id)).withLabels(selectorLabels(id))
                .withOwnerReferences(owner).endMetadata()
                .withNewSpec().withNewPodSelector().withMatchLabels(Map.of(KubeLabels.MACHINE, id)).endPodSelector()
                .withPolicyTypes("Ingress", "Egress").withEgress(rules).endSpec().build();
    }

    /** A claim on a warm pool's sandbox; its pod gets the machine's selector labels. */
    static GenericKubernetesResource claim(String id, Settings.WarmPool pool, Map<String, String> labels,
            OwnerReference owner) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("sandboxTemplateRef", Map.of("name", pool.template()));
        spec.put("warmpool", pool.pool());
        spec.put("additionalPodMetadata", Map.of("labels", selectorLabels(id)));
        return new GenericKubernetesResourceBuilder().withApiVersion(CLAIMS.getGroup() + "/" + CLAIMS.getVersion())
                .withKind(CLAIMS.getKind()).withNewMetadata().withName(id).withLabels(objectLabels(id, labels))
                .withOwnerReferences(owner).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    static GenericKubernetesResource snapshot(String snapshotId, String pvc, Settings settings,
            Map<String, String> labels, Map<String, String> annotations) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (settings.snapshotClass() != null) {
            spec.put("volumeSnapshotClassName", settings.snapshotClass());
        }
        spec.put("source", Map.of("persistentVolumeClaimName", pvc));
        Map<String, String> kube = new LinkedHashMap<>(KubeLabels.kubernetes(labels));
        kube.put(KubeLabels.MANAGED, "true");
        Map<String, String> notes = new LinkedHashMap<>(annotations);
        notes.put(KubeLabels.LABELS, KubeLabels.json(labels));
        return new GenericKubernetesResourceBuilder().withApiVersion(SNAPSHOTS.getGroup() + "/" + SNAPSHOTS.getVersion())
                .withKind(SNAPSHOTS.getKind()).withNewMetadata().withName(snapshotId).withLabels(kube)
                .withAnnotations(notes).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }
}
