package dev.nightshift.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.EnvironmentUnavailableException;
import dev.nightshift.api.runtime.MachineRuntime;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Configuration and discovery, without an engine. */
class DockerRuntimeTest {
    @Test
    void serviceLoaderFindsTheDockerRuntimeWithoutContactingAnEngine() {
        try (MachineRuntime r = ServiceLoader.load(MachineRuntime.class).findFirst().orElseThrow()) {
            assertThat(r).isInstanceOf(DockerRuntime.class);
            assertThat(r.name()).isEqualTo("docker");
        }
    }

    @Test
    void theBaseImageDefaultsToTheEnvironmentThenTheFixedName() {
        String env = System.getenv("NIGHTSHIFT_BASE_IMAGE");
        try (DockerRuntime r = DockerRuntime.builder().build()) {
            assertThat(r.baseImage()).isEqualTo(env == null || env.isBlank() ? "nightshift/default:trixie" : env);
        }
        try (DockerRuntime r = DockerRuntime.builder().baseImage("example/base:1").build()) {
            assertThat(r.baseImage()).isEqualTo("example/base:1");
            assertThat(r.toBuilder().build().baseImage()).isEqualTo("example/base:1");
        }
    }

    @Test
    void dockerInDockerIsAnExplicitOptIn() {
        String env = System.getenv("NIGHTSHIFT_DOCKER_IN_DOCKER");
        boolean fromEnv = "true".equalsIgnoreCase(env) || "1".equals(env);
        try (DockerRuntime r = DockerRuntime.builder().build()) {
            assertThat(r.dockerInDocker()).isEqualTo(fromEnv);
        }
        try (DockerRuntime r = DockerRuntime.builder().dockerInDocker(true).build()) {
            assertThat(r.dockerInDocker()).isTrue();
            assertThat(r.toBuilder().build().dockerInDocker()).isTrue();
        }
    }

    @Test
    void aFlattenThresholdBeyondTheLayerLimitIsRefused() {
        for (int refused : new int[] {0, 121, 200}) {
            assertThatThrownBy(() -> DockerRuntime.builder().flattenThreshold(refused).build())
                    .as("flattenThreshold %d", refused).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("flattenThreshold must be within 1..120").hasMessageEndingWith(": " + refused);
        }
        for (int accepted : new int[] {1, 60, 120}) {
            assertThatCode(() -> DockerRuntime.builder().flattenThreshold(accepted).build().close())
                    .as("flattenThreshold %d is within overlay2's limit", accepted).doesNotThrowAnyException();
        }
    }

    @Test
    void noEngineIsOneClearErrorSayingWhatWasTried() {
        try (DockerRuntime r = DockerRuntime.builder().dockerHost("unix:///nonexistent/nightshift-test.sock").build()) {
            assertThatThrownBy(r::dockerHost).isInstanceOf(EnvironmentUnavailableException.class)
                    .hasMessageContaining("no Docker engine answers")
                    .hasMessageContaining("unix:///nonexistent/nightshift-test.sock")
                    .hasMessageContaining("scripts/docker-up");
        }
    }
}
