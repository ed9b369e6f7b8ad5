package dev.nightshift.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.EgressPolicy;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.SnapshotInfo;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kustomize base in {@code deploy/kubernetes}: every file it lists parses as the Kubernetes
 * object it claims to be, the pieces fit together (service account, role binding, the runtime
 * selected by configuration, the store URL from a Secret, two replicas), and the Role grants
 * exactly what the runtime asks of the API server: a scenario drives every runtime operation
 * against fabric8's mock, each request it made is mapped to its RBAC verb and resource, and the
 * two sets are compared.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class DeployManifestsTest {
    static final Path BASE = Path.of("..", "deploy", "kubernetes");
    static final KubernetesSerialization YAML = new KubernetesSerialization();
    /** Grants no mock request shows, each with its reason (also written in role.yaml). */
    static final Set<String> EXPLAINED = Set.of(
            "/pods/exec:get", "/pods/exec:create", // exec: a websocket GET, authorised as get (< 1.31) or create
            "/pods/portforward:get", "/pods/portforward:create"); // ports(): likewise

    KubernetesMockServer server;
    KubernetesClient client;

    @SuppressWarnings("unchecked")
    private static List<String> resources() throws Exception {
        Map<String, Object> k = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(BASE.resolve("kustomization.yaml")));
        assertThat(k.get("kind")).isEqualTo("Kustomization");
        return (List<String>) k.get("resources");
    }

    private static <T extends HasMetadata> T load(String file, Class<T> type) throws Exception {
        T object = YAML.unmarshal(Files.readString(BASE.resolve(file)), type);
        assertThat(object.getKind()).as(file).isEqualTo(type.getSimpleName());
        return object;
    }

    @Test
    void everyListedFileParsesAndThePiecesFitTogether() throws Exception {
        List<String> files = resources();
        assertThat(files).containsExactlyInAnyOrder("serviceaccount.yaml", "role.yaml", "rolebinding.yaml",
                "configmap.yaml", "deployment.yaml", "service.yaml");
        for (String f : files) {
            HasMetadata any = YAML.unmarshal(Files.readString(BASE.resolve(f)), HasMetadata.class);
            assertThat(any.getMetadata().getName()).as(f).isNotBlank();
        }
        ServiceAccount sa = load("serviceaccount.yaml", ServiceAccount.class);
        Role role = load("role.yaml", Role.class);
        RoleBinding binding = load("rolebinding.yaml", RoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
        });

        ConfigMap config = load("configmap.yaml", ConfigMap.class);
        assertThat(config.getData()).containsEntry("NIGHTSHIFT_RUNTIME", KubernetesRuntime.class.getName());
        assertThat(KubernetesRuntime.class.getConstructor()).as("what NIGHTSHIFT_RUNTIME instantiates").isNotNull();
        Map<String, String> env = new HashMap<>(config.getData());
        env.values().removeIf(String::isBlank);
        KubernetesRuntime.Builder.fromEnvironment(env); // the shipped values are valid

        Deployment d = load("deployment.yaml", Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(sa.getMetadata().getName());
        assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getTemplate().getMetadata().getLabels());
        var container = pod.getContainers().get(0);
        assertThat(container.getArgs()).startsWith("serve");
        assertThat(container.getEnvFrom()).anySatisfy(e ->
                assertThat(e.getConfigMapRef().getName()).isEqualTo(config.getMetadata().getName()));
        EnvVar store = container.getEnv().stream().filter(e -> e.getName().equals("NIGHTSHIFT_STORE_URL")).findFirst()
                .orElseThrow();
        assertThat(store.getValue()).as("the store URL holds a password: from a Secret only").isNull();
        assertThat(store.getValueFrom().getSecretKeyRef().getName()).isEqualTo("nightshift-store");

        Service service = load("service.yaml", Service.class);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(service.getSpec().getSelector());
    }

    /** {@code /resource[/subresource]:verb} with the API group before the slash, for every rule of the Role. */
    private static Set<String> granted(Role role) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        out.add(g + "/" + res + ":" + v);
                    }
                }
            }
        }
        return out;
    }

    private static final Pattern PATH = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(\\?.*)?");

    /** The RBAC grant a request needs, as {@link #granted} writes it. */
    static String needed(String method, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            throw new AssertionError("not a namespaced API request: " + method + " " + path);
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(2) + (m.group(4) != null ? "/" + m.group(4) : "");
        boolean named = m.group(3) != null;
        String query = m.group(5) == null ? "" : m.group(5);
        String verb = switch (method) {
            case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("unexpected method " + method);
        };
        return group + "/" + resource + ":" + verb;
    }

    @Test
    void theRequestMappingBites() {
        assertThat(needed("GET", "/api/v1/namespaces/a/pods?labelSelector=x")).isEqualTo("/pods:list");
        assertThat(needed("GET", "/api/v1/namespaces/a/pods/p")).isEqualTo("/pods:get");
        assertThat(needed("GET", "/api/v1/namespaces/a/pods?watch=true")).isEqualTo("/pods:watch");
        assertThat(needed("GET", "/api/v1/namespaces/a/pods/p/exec?command=x")).isEqualTo("/pods/exec:get");
        assertThat(needed("PATCH", "/api/v1/namespaces/a/configmaps/c")).isEqualTo("/configmaps:patch");
        assertThat(needed("DELETE", "/apis/snapshot.storage.k8s.io/v1/namespaces/a/volumesnapshots/s"))
                .isEqualTo("snapshot.storage.k8s.io/volumesnapshots:delete");
    }

    @Test
    void theRoleGrantsExactlyWhatTheRuntimeAsksFor() throws Exception {
        Set<String> used = new TreeSet<>();
        Config config = new ConfigBuilder(client.getConfiguration())
                .withCustomHeaders(Map.of("X-Nightshift-Test", "runtime")).build();
        try (KubernetesClient runtimeClient = new KubernetesClientBuilder().withConfig(config).build();
                FakeKubelet kubelet = new FakeKubelet(client, "agents");
                KubernetesRuntime runtime = KubernetesRuntime.builder().client(runtimeClient).namespace("agents")
                        .warmPool("pooled:1", "tmpl", "pool").startTimeout(Duration.ofSeconds(20)).build()) {
            var controller = claimController();
            try {
                Machine m = runtime.start(MachineSpec.builder("app:1").egress(EgressPolicy.DENY_ALL).label("k", "v").build());
                runtime.machines(Map.of("k", "v"));
                runtime.attach(m.id()).orElseThrow();
                m.updateEgress(EgressPolicy.DENY_ALL);
                SnapshotInfo s = m.snapshot(Map.of());
                runtime.findSnapshot(s.id());
                runtime.snapshots(Map.of());
                Machine copy = runtime.start(MachineSpec.builder(runtime.prepareImage(ImageSource.snapshot(s.id()),
                        line -> { }).id()).build());
                copy.stop();
                copy.state();
                copy.close();
                Machine pooled = runtime.start(MachineSpec.builder("pooled:1").build());
                pooled.close();
                SnapshotInfo h = m.hibernate(Map.of());
                runtime.deleteSnapshot(s.id());
                runtime.deleteSnapshot(h.id());
            } finally {
                controller.close();
            }
        }
        // every request is recorded before it is answered: the queue holds them all by now
        for (RecordedRequest r; (r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null; ) {
            if ("runtime".equals(r.getHeader("X-Nightshift-Test"))) {
                used.add(needed(r.getMethod(), r.getPath()));
            }
        }
        Set<String> granted = granted(load("role.yaml", Role.class));
        assertThat(used).as("requests the runtime made").isNotEmpty();
        assertThat(granted).as("the Role covers every request the runtime made").containsAll(used);
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        assertThat(unused).as("the Role grants nothing the runtime does not use").isSubsetOf(EXPLAINED);
    }

    /** The agent-sandbox controller's part: a claim gets a pod with the claim's pod labels. */
    private io.fabric8.kubernetes.client.Watch claimController() {
        return client.genericKubernetesResources(KubernetesRuntimeMockTest.CLAIMS).inNamespace("agents")
                .watch(new Watcher<GenericKubernetesResource>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource claim) {
                        if (action == Action.ADDED) {
                            Map<String, String> labels = claim.get("spec", "additionalPodMetadata", "labels");
                            client.pods().inNamespace("agents").resource(new PodBuilder().withNewMetadata()
                                    .withName("warm-" + claim.getMetadata().getName()).withLabels(labels).endMetadata()
                                    .withNewSpec().addNewContainer().withName("machine").withImage("pooled:1")
                                    .endContainer().endSpec().build()).create();
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                });
    }
}
