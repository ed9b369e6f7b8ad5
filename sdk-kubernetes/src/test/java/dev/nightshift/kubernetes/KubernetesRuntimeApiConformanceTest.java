package dev.nightshift.kubernetes;

import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.RuntimeApiConformanceTest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The part of the runtime contract a mock API server can serve (no command runs in a machine),
 * passed by the Kubernetes runtime against fabric8's CRUD mock. The rest of the contract needs a
 * cluster: {@link KubernetesRuntimeConformanceIT}.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesRuntimeApiConformanceTest extends RuntimeApiConformanceTest {
    KubernetesMockServer server;
    KubernetesClient client;
    private FakeKubelet kubelet;
    private KubernetesRuntime runtime;

    @BeforeEach
    void startRuntime() {
        kubelet = new FakeKubelet(client, "conformance");
        runtime = KubernetesRuntime.builder().client(client).namespace("conformance")
                .startTimeout(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    @Override
    protected MachineRuntime runtime() {
        return runtime;
    }

    @Override
    protected MachineSpec.Builder spec() {
        return MachineSpec.builder("registry.local/nightshift/base:bookworm").user("ubuntu");
    }
}
