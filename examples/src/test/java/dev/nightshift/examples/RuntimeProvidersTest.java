package dev.nightshift.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.spi.Priority;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The command line carries both runtimes: ServiceLoader finds Docker and Kubernetes, and the
 * rank the engine sorts them by (highest {@link Priority} first, 0 without one) puts Docker on
 * top, so adding the Kubernetes runtime changed no one's default; {@code NIGHTSHIFT_RUNTIME}
 * selects Kubernetes by class name.
 */
class RuntimeProvidersTest {
    private static int rank(ServiceLoader.Provider<MachineRuntime> p) {
        Priority priority = p.type().getAnnotation(Priority.class);
        return priority == null ? 0 : priority.value();
    }

    @Test
    void dockerOutranksKubernetesAndBothAreFound() throws Exception {
        List<ServiceLoader.Provider<MachineRuntime>> found = ServiceLoader.load(MachineRuntime.class).stream()
                .sorted(Comparator.comparingInt(RuntimeProvidersTest::rank).reversed()).toList();
        assertThat(found).extracting(p -> p.type().getName())
                .containsExactly("dev.nightshift.docker.DockerRuntime", "dev.nightshift.kubernetes.KubernetesRuntime");
        assertThat(rank(found.get(0))).isGreaterThan(rank(found.get(1)));
        assertThat(Class.forName("dev.nightshift.kubernetes.KubernetesRuntime").getConstructor())
                .as("the public no-argument constructor NIGHTSHIFT_RUNTIME needs").isNotNull();
    }
}
