package dev.nightshift.kubernetes.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NightshiftException;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.kubernetes.FakeKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine's commands and files end to end through the runtime's own code (Cluster, KubeMachine,
 * ExecServer, the real execd.pl), with the machine's objects in the CRUD mock and its exec stream
 * a local {@code perl} in place of the pod exec websocket: the commands run on this host, as this
 * user, inside a temporary directory. What a cluster adds (the container) is not here.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubeMachineLocalExecTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    KubernetesMockServer server;
    KubernetesClient client;
    @TempDir
    Path dir;
    private final AtomicInteger opened = new AtomicInteger();
    private FakeKubelet kubelet;
    private Cluster cluster;
    private final String user = System.getProperty("user.name");

    @BeforeEach
    void start() {
        kubelet = new FakeKubelet(client, "local");
        cluster = new Cluster(client, false, new Settings("local", "", null, "1Gi", null, Map.of(), null, Map.of(),
                Duration.ofSeconds(20), false, null), (m, command) -> {
                    opened.incrementAndGet();
                    try {
                        return new LocalProcessTransport();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        cluster.close();
        kubelet.close();
    }

    @Test
    void commandsAndFilesGoThroughTheExecServer() throws Exception {
        Machine m = cluster.start(MachineSpec.builder("local:1").user(user).env("SPEC_VAR", "from-spec").build());
        assertThat(m.exec(ExecRequest.bash("echo \"$SPEC_VAR $(id -un)\"").build()).await(WAIT).stdoutTail())
                .isEqualTo("from-spec " + user + "\n");

        String file = dir.resolve("a/b/file.txt").toString();
        m.writeFile(file, "line one\n".getBytes(UTF_8));
        assertThat(m.readFile(file)).isEqualTo("line one\n".getBytes(UTF_8));
        assertThat(Files.readString(Path.of(file))).isEqualTo("line one\n");
        assertThatThrownBy(() -> m.readFile(dir.resolve("none.txt").toString())).isInstanceOf(NotFoundException.class);

        Path tree = Files.createDirectories(dir.resolve("host/tree/nested"));
        Files.writeString(tree.resolve("n.txt"), "nested");
        Files.writeString(dir.resolve("host/tree/top.txt"), "top");
        String into = dir.resolve("machine/copied").toString();
        m.copyIn(dir.resolve("host/tree"), into);
        assertThat(Files.readString(Path.of(into, "nested/n.txt"))).isEqualTo("nested");
        m.copyOut(into, dir.resolve("out"));
        assertThat(Files.readString(dir.resolve("out/copied/top.txt"))).isEqualTo("top");
        assertThatThrownBy(() -> m.copyOut(dir.resolve("none").toString(), dir.resolve("out2")))
                .isInstanceOf(NotFoundException.class);
        assertThat(opened).as("one exec server served every command").hasValue(1);
    }

    @Test
    void anIdleServerIsStoppedAndTheNextExecStartsAnother() {
        Machine m = cluster.start(MachineSpec.builder("local:1").user(user).build());
        assertThat(m.exec(ExecRequest.of("true")).await(WAIT).isSuccess()).isTrue();
        cluster.retireIdle(Duration.ofHours(1));
        assertThat(opened).as("not idle long enough").hasValue(1);
        cluster.retireIdle(Duration.ZERO);
        assertThat(m.exec(ExecRequest.of("true")).await(WAIT).isSuccess()).isTrue();
        assertThat(opened).hasValue(2);
    }

    @Test
    void aStoppedOrRemovedMachineRunsNothingAndSaysWhich() {
        Machine m = cluster.start(MachineSpec.builder("local:1").user(user).build());
        m.stop();
        assertThatThrownBy(() -> m.exec(ExecRequest.of("true"))).isInstanceOf(NightshiftException.class)
                .hasMessageContaining(m.id()).hasMessageContaining("stopped");
        m.close();
        assertThatThrownBy(() -> m.exec(ExecRequest.of("true"))).isInstanceOf(NightshiftException.class)
                .hasMessageContaining(m.id()).hasMessageContaining("gone");
        assertThat(opened).hasValue(0);
    }
}
