package dev.nightshift.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.nightshift.api.AgentInfo;
import dev.nightshift.api.AgentRequest;
import dev.nightshift.api.AgentStatus;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.ResourceLimits;
import dev.nightshift.docker.DockerRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One limits type: the machine limits given in the engine's {@link Limits#withMachine} are the
 * agent's container's (CPU, memory, processes, read back from Docker), and without them the
 * runtime's own {@code defaultLimits} apply.
 */
class MachineLimitsIT extends DockerEngineTest {
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** The runtime's default in this test: differs from {@link ResourceLimits#DEFAULT} and from the engine's. */
    private static final ResourceLimits RUNTIME_DEFAULT = new ResourceLimits(0.75, 320L << 20, 210);
    private static final ResourceLimits ENGINE = new ResourceLimits(1.25, 384L << 20, 256);

    @Test
    void theEnginesMachineLimitsReachTheMachineAndWithoutThemTheRuntimesDefaultApplies() {
        TestRemote remote = TestRemote.create(dir, Map.of("README.md", "# app\n"));
        try (DockerRuntime docker = DockerRuntime.builder().defaultLimits(RUNTIME_DEFAULT).build();
                DockerClient client = client()) {
            try (Nightshift engine = Nightshift.builder().runtime(docker).stateDirectory(dir.resolve("limited"))
                    .limits(Limits.DEFAULT.withMachine(ENGINE)).build()) {
                assertThat(hostConfig(client, docker, finished(engine, remote).id()))
                        .as("Limits.withMachine reaches the agent's machine").satisfies(h -> limits(h, ENGINE));
            }
            try (Nightshift engine = Nightshift.builder().runtime(docker).stateDirectory(dir.resolve("plain"))
                    .limits(Limits.DEFAULT).build()) {
                assertThat(hostConfig(client, docker, finished(engine, remote).id()))
                        .as("control: without machine limits the runtime's default applies")
                        .satisfies(h -> limits(h, RUNTIME_DEFAULT));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void limits(HostConfig host, ResourceLimits expected) {
        assertThat(host.getNanoCPUs()).isEqualTo((long) (expected.cpus() * 1e9));
        assertThat(host.getMemory()).isEqualTo(expected.memoryBytes());
        assertThat(host.getPidsLimit()).isEqualTo(expected.pids());
    }

    private static AgentInfo finished(Nightshift engine, TestRemote remote) {
        AgentInfo info = engine.spawn(AgentRequest.builder("echo 'SUMMARY: done'", remote.url()).build())
                .awaitStatus(AgentStatus.FINISHED, WAIT);
        assertThat(info.status()).as("error: %s", info.error()).isEqualTo(AgentStatus.FINISHED);
        return info;
    }

    private static HostConfig hostConfig(DockerClient client, DockerRuntime docker, String agentId) {
        List<MachineInfo> machines = docker.machines(Map.of(DockerRuntime.LABEL_AGENT, agentId));
        assertThat(machines).as("the agent's machine is still up after its turn").hasSize(1);
        return client.inspectContainerCmd(machines.get(0).id()).exec().getHostConfig();
    }

    private static DockerClient client() {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        return DockerClientImpl.getInstance(config,
                new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
    }
}
