package dev.nightshift.kubernetes;

import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.RuntimeConformanceTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The whole runtime contract against a real cluster, opt-in and not part of CI (no cluster can
 * run on the machines this project is built on):
 *
 * <pre>
 * mvn -pl sdk-kubernetes verify -Dnightshift.kube.context=NAME \
 *     [-Dnightshift.kube.namespace=nightshift-conformance] [-Dnightshift.kube.image=REGISTRY/nightshift/base:bookworm]
 * </pre>
 *
 * The namespace must exist, the current credentials need the Role of
 * {@code deploy/kubernetes/role.yaml} in it, the image must be pullable by the cluster (the
 * project's base image pushed to a registry it reaches), the storage class default must have a
 * CSI driver with VolumeSnapshot support, and {@code kubectl} must be on the PATH (the
 * terminals test attaches with it). Without {@code nightshift.kube.context} it is disabled (a
 * JUnit skip naming the property), never a failure. Never run by this project so far.
 */
@EnabledIfSystemProperty(named = "nightshift.kube.context", matches = ".+",
        disabledReason = "set -Dnightshift.kube.context=NAME to run the runtime contract against that cluster")
class KubernetesRuntimeConformanceIT extends RuntimeConformanceTest {
    private static KubernetesRuntime runtime;

    private static synchronized KubernetesRuntime shared() {
        if (runtime == null) {
            String namespace = System.getProperty("nightshift.kube.namespace", "");
            runtime = KubernetesRuntime.builder().context(System.getProperty("nightshift.kube.context"))
                    .namespace(namespace.isBlank() ? "nightshift-conformance" : namespace)
                    .startTimeout(Duration.ofMinutes(3)).build();
        }
        return runtime;
    }

    @AfterAll
    static void closeRuntime() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    @Override
    protected MachineRuntime runtime() {
        return shared();
    }

    @Override
    protected MachineSpec.Builder spec() {
        String image = System.getProperty("nightshift.kube.image", "");
        return MachineSpec.builder(image.isBlank() ? "nightshift/base:bookworm" : image).user("ubuntu");
    }

    /** Only the workspace volume is snapshotted on Kubernetes. */
    @Override
    protected String persistentDir() {
        return "/workspace";
    }
}
