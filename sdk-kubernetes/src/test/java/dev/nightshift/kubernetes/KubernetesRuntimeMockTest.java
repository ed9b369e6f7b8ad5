package dev.nightshift.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.BuildFailedException;
import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.api.spec.EgressHost;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every object the Kubernetes runtime creates, checked in fabric8's CRUD mock API server: the
 * machine's record (ConfigMap) owning its Secret, PVC, pod and NetworkPolicy; labels, limits and
 * the security context; the warm-pool claim; snapshots; and that removal deletes them all.
 * {@link FakeKubelet} marks pods running, as no node exists here.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesRuntimeMockTest {
    static final String NS = "agents";
    static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder()
            .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshot")
            .withPlural("volumesnapshots").withNamespaced(true).build();
    static final ResourceDefinitionContext CLAIMS = new ResourceDefinitionContext.Builder()
            .withGroup("extensions.agents.x-k8s.io").withVersion("v1alpha1").withKind("SandboxClaim")
            .withPlural("sandboxclaims").withNamespaced(true).build();

    KubernetesMockServer server;
    KubernetesClient client;
    FakeKubelet kubelet;
    KubernetesRuntime runtime;

    @BeforeEach
    void setUp() {
        kubelet = new FakeKubelet(client, NS);
        runtime = builder().build();
    }

    KubernetesRuntime.Builder builder() {
        return KubernetesRuntime.builder().client(client).namespace(NS).storageClass("fast-csi").workspaceSize("20Gi")
                .snapshotClass("csi-snapclass").startTimeout(Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        runtime.close();
        kubelet.close();
    }

    private ConfigMap record(String id) {
        return client.configMaps().inNamespace(NS).withName(id).get();
    }

    @Test
    void startCreatesARecordThatOwnsTheSecretPvcAndPodWithLabelsLimitsAndARestrictedSecurityContext() {
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").user("ubuntu").workdir("/workspace")
                .env("TOKEN", "s3cret-value").label("dev.nightshift.agent", "agent-7")
                .label("dev.nightshift.note", "a value: with spaces").limits(new ResourceLimits(1.5, 2L << 30, 512))
                .build());
        String id = m.id();
        assertThat(id).matches("nsm-[0-9a-f]{16}");
        assertThat(m.state()).isEqualTo(MachineState.RUNNING);

        ConfigMap record = record(id);
        assertThat(record.getMetadata().getLabels()).containsEntry("dev.nightshift.managed", "true")
                .containsEntry("dev.nightshift.machine", id).containsEntry("dev.nightshift.agent", "agent-7")
                .as("a value Kubernetes refuses as a label stays in the annotation only")
                .doesNotContainKey("dev.nightshift.note");
        assertThat(m.labels()).containsEntry("dev.nightshift.note", "a value: with spaces");
        assertThat(record.getMetadata().getAnnotations()).containsEntry("nightshift.dev/user", "ubuntu")
                .containsEntry("nightshift.dev/image", "registry.local/app:1");

        Secret env = client.secrets().inNamespace(NS).withName(id + "-env").get();
        assertOwnedBy(env.getMetadata().getOwnerReferences(), record);
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(NS).withName(id + "-workspace").get();
        assertOwnedBy(pvc.getMetadata().getOwnerReferences(), record);
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("fast-csi");
        assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
        assertThat(pvc.getSpec().getDataSource()).isNull();

        Pod pod = client.pods().inNamespace(NS).withName(id).get();
        assertOwnedBy(pod.getMetadata().getOwnerReferences(), record);
        assertThat(pod.getMetadata().getLabels()).containsEntry("dev.nightshift.machine", id)
                .containsEntry("dev.nightshift.agent", "agent-7");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).as("no API token in a machine").isFalse();
        assertThat(pod.getSpec().getEnableServiceLinks()).isFalse();
        assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.local/app:1");
        assertThat(c.getWorkingDir()).isEqualTo("/workspace");
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("1500m"))
                .containsEntry("memory", new Quantity(Long.toString(2L << 30)));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("375m"));
        assertThat(c.getSecurityContext().getPrivileged()).isFalse();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd())
                .containsExactlyInAnyOrder("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETGID", "SETUID");
        assertThat(c.getVolumeMounts()).anySatisfy(v -> assertThat(v.getMountPath()).isEqualTo("/workspace"));
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(id + "-workspace"));
        assertThat(c.getEnv()).as("secrets stay out of the pod spec").noneMatch(e -> "s3cret-value".equals(e.getValue()));
        assertThat(c.getEnvFrom()).anySatisfy(e -> assertThat(e.getSecretRef().getName()).isEqualTo(id + "-env"));
        assertThat(client.network().v1().networkPolicies().inNamespace(NS).list().getItems())
                .as("an unrestricted machine gets no policy").isEmpty();
        m.close();
    }

    private static void assertOwnedBy(List<OwnerReference> refs, ConfigMap record) {
        assertThat(refs).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("ConfigMap");
            assertThat(r.getName()).isEqualTo(record.getMetadata().getName());
            assertThat(r.getUid()).isEqualTo(record.getMetadata().getUid()).isNotBlank();
            assertThat(r.getBlockOwnerDeletion()).isTrue();
        });
    }

    @Test
    void closeDeletesEveryObjectOfTheMachineAndIsIdempotent() {
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").egress(EgressPolicy.DENY_ALL).build());
        String id = m.id();
        assertThat(client.network().v1().networkPolicies().inNamespace(NS).withName(id + "-egress").get()).isNotNull();
        m.close();
        m.close();
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.secrets().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.network().v1().networkPolicies().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(runtime.attach(id)).isEmpty();
    }

    @Test
    void aSpecWithoutLimitsGetsTheDefaultLimits() {
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").build());
        Container c = client.pods().inNamespace(NS).withName(m.id()).get().getSpec().getContainers().get(0);
        assertThat(c.getResources().getLimits()).as("ResourceLimits.DEFAULT: 2 CPUs, 4 GiB")
                .containsEntry("cpu", new Quantity("2000m")).containsEntry("memory", new Quantity(Long.toString(4L << 30)));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
        m.close();
    }

    @Test
    void stopDeletesOnlyThePodAndKeepsTheWorkspace() {
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").build());
        m.stop();
        assertThat(m.state()).isEqualTo(MachineState.STOPPED);
        assertThat(client.pods().inNamespace(NS).withName(m.id()).get()).isNull();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(m.id() + "-workspace").get()).isNotNull();
        assertThat(runtime.machines(Map.of())).singleElement()
                .satisfies(i -> assertThat(i.state()).isEqualTo(MachineState.STOPPED));
        m.close();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void restrictedEgressGetsAPolicyThatAllowsOnlyTheProxyAndDns() {
        try (KubernetesRuntime proxied = builder().egressProxy("egress-proxy.nightshift.svc:3128",
                Map.of("app", "nightshift-egress-proxy")).build()) {
            assertThat(proxied.enforcesEgress()).isTrue();
            Machine m = proxied.start(MachineSpec.builder("registry.local/app:1")
                    .egress(EgressPolicy.allowOnly(List.of(EgressHost.parse("*.github.com")))).build());
            NetworkPolicy p = client.network().v1().networkPolicies().inNamespace(NS).withName(m.id() + "-egress").get();
            assertOwnedBy(p.getMetadata().getOwnerReferences(), record(m.id()));
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).containsExactly(Map.entry("dev.nightshift.machine", m.id()));
            assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.getSpec().getIngress()).isEmpty();
            assertThat(p.getSpec().getEgress()).hasSize(2);
            assertThat(p.getSpec().getEgress().get(0).getTo().get(0).getPodSelector().getMatchLabels())
                    .containsEntry("app", "nightshift-egress-proxy");
            assertThat(p.getSpec().getEgress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(3128);
            assertThat(p.getSpec().getEgress().get(1).getPorts()).extracting(x -> x.getPort().getIntVal()).containsOnly(53);
            Container c = client.pods().inNamespace(NS).withName(m.id()).get().getSpec().getContainers().get(0);
            assertThat(c.getEnv()).anySatisfy(e -> {
                assertThat(e.getName()).isEqualTo("HTTPS_PROXY");
                assertThat(e.getValue()).isEqualTo("http://egress-proxy.nightshift.svc:3128");
            });
            assertThat(record(m.id()).getData()).containsEntry("egress", "*.github.com");
            m.updateEgress(EgressPolicy.DENY_ALL);
            assertThat(record(m.id()).getData()).containsEntry("egress", "");
            assertThatThrownBy(() -> m.updateEgress(EgressPolicy.ALLOW_ALL)).isInstanceOf(UnsupportedOperationException.class);
            m.close();
        }
    }

    @Test
    void withoutAProxyDenyAllHasNoEgressRuleAndAnAllowlistIsRefusedBeforeAnythingIsCreated() {
        assertThat(runtime.enforcesEgress()).isFalse();
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").egress(EgressPolicy.DENY_ALL).build());
        NetworkPolicy p = client.network().v1().networkPolicies().inNamespace(NS).withName(m.id() + "-egress").get();
        assertThat(p.getSpec().getEgress()).isEmpty();
        m.close();
        assertThatThrownBy(() -> runtime.start(MachineSpec.builder("registry.local/app:1")
                .egress(EgressPolicy.allowOnly(List.of(EgressHost.parse("pypi.org")))).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("egress proxy");
        assertThatThrownBy(() -> runtime.start(MachineSpec.builder("registry.local/app:1").privileged(true).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("privileged");
        assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledFailsTheStartAndLeavesNothing() {
        assertThatThrownBy(() -> runtime.start(MachineSpec.builder("registry.local/app:unpullable").build()))
                .isInstanceOf(EnvironmentUnavailableException.class).hasMessageContaining("ErrImagePull");
        assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void machinesAreFoundByLabelsAndAttached() {
        Machine a = runtime.start(MachineSpec.builder("registry.local/app:1").user("ubuntu").env("K", "v")
                .label("dev.nightshift.agent", "a").label("free", "x y").port(3000).build());
        Machine b = runtime.start(MachineSpec.builder("registry.local/app:1").label("dev.nightshift.agent", "b").build());
        assertThat(runtime.machines(Map.of("dev.nightshift.agent", "a"))).singleElement().satisfies(i -> {
            assertThat(i.id()).isEqualTo(a.id());
            assertThat(i.state()).isEqualTo(MachineState.RUNNING);
            assertThat(i.image()).isEqualTo("registry.local/app:1");
        });
        assertThat(runtime.machines(Map.of("free", "x y"))).extracting(i -> i.id()).containsExactly(a.id());
        assertThat(runtime.machines(Map.of("free", "other"))).isEmpty();
        assertThat(runtime.machines(Map.of())).hasSize(2);
        Machine attached = runtime.attach(a.id()).orElseThrow();
        assertThat(attached.user()).isEqualTo("ubuntu");
        assertThat(attached.labels()).containsEntry("free", "x y");
        assertThat(runtime.attach("no-such-machine")).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void aSnapshotIsAVolumeSnapshotOfTheWorkspaceAndStartsANewMachineFromIt() {
        Machine m = runtime.start(MachineSpec.builder("registry.local/app:1").user("ubuntu").build());
        SnapshotInfo s = m.snapshot(Map.of("dev.nightshift.agent", "a1"));
        assertThat(s.id()).matches("snapshot-\\d{8}-[0-9a-f-]{36}");
        GenericKubernetesResource vs = client.genericKubernetesResources(SNAPSHOTS).inNamespace(NS).withName(s.id()).get();
        assertThat(vs.getApiVersion()).isEqualTo("snapshot.storage.k8s.io/v1");
        assertThat(vs.<String>get("spec", "source", "persistentVolumeClaimName")).isEqualTo(m.id() + "-workspace");
        assertThat(vs.<String>get("spec", "volumeSnapshotClassName")).isEqualTo("csi-snapclass");
        assertThat(vs.getMetadata().getLabels()).containsEntry("dev.nightshift.agent", "a1")
                .containsEntry("dev.nightshift.snapshot", s.id());
        assertThat(runtime.findSnapshot(s.id())).map(SnapshotInfo::labels).hasValueSatisfying(l ->
                assertThat(l).containsEntry(SnapshotInfo.LABEL_SOURCE, m.id()).containsKey(SnapshotInfo.LABEL_CREATED));
        assertThat(runtime.snapshots(Map.of("dev.nightshift.agent", "a1"))).extracting(SnapshotInfo::id).containsExactly(s.id());

        String image = runtime.prepareImage(ImageSource.snapshot(s.id()), line -> { }).id();
        Machine copy = runtime.start(MachineSpec.builder(image).build());
        PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(NS).withName(copy.id() + "-workspace").get();
        assertThat(pvc.getSpec().getDataSource().getKind()).isEqualTo("VolumeSnapshot");
        assertThat(pvc.getSpec().getDataSource().getName()).isEqualTo(s.id());
        assertThat(client.pods().inNamespace(NS).withName(copy.id()).get().getSpec().getContainers().get(0).getImage())
                .as("the snapshot's machine image").isEqualTo("registry.local/app:1");
        assertThat(copy.user()).as("the snapshot's user").isEqualTo("ubuntu");
        copy.close();

        SnapshotInfo h = m.hibernate(Map.of());
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        runtime.deleteSnapshot(s.id());
        runtime.deleteSnapshot(h.id());
        runtime.deleteSnapshot("snapshot-20000101-00000000-0000-0000-0000-000000000000");
        assertThat(runtime.findSnapshot(s.id())).isEmpty();
        assertThat(client.genericKubernetesResources(SNAPSHOTS).inNamespace(NS).list().getItems()).isEmpty();
        assertThatThrownBy(() -> runtime.prepareImage(ImageSource.snapshot(s.id()), line -> { }))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> runtime.start(MachineSpec.builder(s.id()).build())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aWarmPoolImageIsClaimedAndTheClaimedPodIsTheMachine() {
        try (KubernetesRuntime pooled = builder().warmPool("registry.local/app:1", "python-env", "python-warm").build()) {
            // the agent-sandbox controller's part: bind the claim to a warm pod, carrying the claim's pod labels
            var controller = client.genericKubernetesResources(CLAIMS).inNamespace(NS).watch(
                    new io.fabric8.kubernetes.client.Watcher<GenericKubernetesResource>() {
                        @Override
                        public void eventReceived(Action action, GenericKubernetesResource claim) {
                            if (action != Action.ADDED) {
                                return;
                            }
                            Map<String, String> podLabels = claim.get("spec", "additionalPodMetadata", "labels");
                            client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata()
                                    .withName("python-warm-x7k2").withLabels(podLabels).endMetadata()
                                    .withNewSpec().addNewContainer().withName("machine").withImage("registry.local/app:1")
                                    .endContainer().addNewVolume().withName("workspace").withNewPersistentVolumeClaim()
                                    .withClaimName("workspace-python-warm-x7k2").endPersistentVolumeClaim().endVolume()
                                    .endSpec().build()).create();
                        }

                        @Override
                        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                        }
                    });
            try {
                Machine m = pooled.start(MachineSpec.builder("registry.local/app:1").label("dev.nightshift.agent", "w")
                        .build());
                GenericKubernetesResource claim = client.genericKubernetesResources(CLAIMS).inNamespace(NS)
                        .withName(m.id()).get();
                assertThat(claim.getApiVersion()).isEqualTo("extensions.agents.x-k8s.io/v1alpha1");
                assertThat(claim.<String>get("spec", "sandboxTemplateRef", "name")).isEqualTo("python-env");
                assertThat(claim.<String>get("spec", "warmpool")).isEqualTo("python-warm");
                assertThat(claim.getMetadata().getLabels()).containsEntry("dev.nightshift.agent", "w");
                assertOwnedBy(claim.getMetadata().getOwnerReferences(), record(m.id()));
                assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems())
                        .as("the template's volume claim serves the workspace").isEmpty();
                assertThat(m.state()).isEqualTo(MachineState.RUNNING);
                assertThat(pooled.attach(m.id())).isPresent();
                SnapshotInfo s = m.snapshot(Map.of());
                assertThat(client.genericKubernetesResources(SNAPSHOTS).inNamespace(NS).withName(s.id()).get()
                        .<String>get("spec", "source", "persistentVolumeClaimName")).isEqualTo("workspace-python-warm-x7k2");
                pooled.deleteSnapshot(s.id());
                m.stop();
                assertThat(m.state()).as("the claimed pod, named by the pool, is the one stopped").isEqualTo(MachineState.STOPPED);
                m.close();
                assertThat(client.genericKubernetesResources(CLAIMS).inNamespace(NS).list().getItems()).isEmpty();
                assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
            } finally {
                controller.close();
            }
        }
    }

    @Test
    void imagesAreReferencesOrTheDefaultBaseAndDockerfilesAreRefusedPlainly() {
        try (KubernetesRuntime prefixed = builder().registryPrefix("registry.cluster.local:5000/").build()) {
            assertThat(prefixed.prepareImage(ImageSource.defaultBase(), line -> { }).id())
                    .isEqualTo("registry.cluster.local:5000/nightshift/default:trixie");
        }
        assertThat(runtime.prepareImage(ImageSource.reference("node:20"), line -> { }).id()).isEqualTo("node:20");
        assertThatThrownBy(() -> runtime.prepareImage(ImageSource.dockerfile(Path.of("."), null, "FROM x", Map.of()),
                line -> { })).isInstanceOf(BuildFailedException.class).hasMessageContaining("docs/kubernetes.md");
        assertThat(runtime.name()).isEqualTo("kubernetes");
    }

    @Test
    void theEnvironmentConfiguresARuntimeAndAMalformedValueIsNamed() {
        KubernetesRuntime.Builder b = KubernetesRuntime.Builder.fromEnvironment(Map.of(
                "NIGHTSHIFT_KUBE_NAMESPACE", NS, "NIGHTSHIFT_KUBE_EGRESS_PROXY", "proxy:3128",
                "NIGHTSHIFT_KUBE_EGRESS_PROXY_LABELS", "app=proxy",
                "NIGHTSHIFT_KUBE_WARM_POOLS", "img:1=tmpl/pool"));
        try (KubernetesRuntime r = b.client(client).build()) {
            assertThat(r.namespace()).isEqualTo(NS);
            assertThat(r.enforcesEgress()).isTrue();
        }
        assertThatThrownBy(() -> KubernetesRuntime.Builder.fromEnvironment(Map.of("NIGHTSHIFT_KUBE_WARM_POOLS", "img")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NIGHTSHIFT_KUBE_WARM_POOLS");
        assertThatThrownBy(() -> KubernetesRuntime.Builder.fromEnvironment(Map.of("NIGHTSHIFT_KUBE_EGRESS_PROXY", "noport")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        assertThat(Optional.ofNullable(KubernetesRuntime.class.getAnnotation(dev.nightshift.api.spi.Priority.class))
                .map(p -> p.value())).as("below Docker's 0: never the default over Docker").hasValueSatisfying(v ->
                assertThat(v).isNegative());
    }
}
