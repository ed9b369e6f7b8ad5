package dev.nightshift.kubernetes.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ExecResult;
import dev.nightshift.machine.ExecFrames;
import dev.nightshift.machine.ExecServerClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.internal.WebSocketMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * The exec-server protocol over the pod exec API's websocket, served by fabric8's mock API
 * server: the server's hello and an exec's output and exit arrive on the stdout channel, the
 * exec frame the runtime sends arrives on the stdin channel. The mock answers a message it
 * expects with scripted frames (it runs no execd: sdk-machine's ExecServerProtocolTest runs
 * the real one); what this proves is the framing across the websocket's channels both ways.
 */
@EnableKubernetesMockClient(https = false)
class PodExecStreamTest {
    KubernetesMockServer server;
    KubernetesClient client;

    /** A message on exec channel {@code channel} (0 stdin, 1 stdout, 2 stderr) carrying {@code frames}. */
    private static byte[] onChannel(int channel, byte[]... frames) {
        int size = 1;
        for (byte[] f : frames) {
            size += f.length;
        }
        byte[] out = new byte[size];
        out[0] = (byte) channel;
        int o = 1;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, out, o, f.length);
            o += f.length;
        }
        return out;
    }

    @Test
    void anExecFrameSentOnStdinIsAnsweredByOutputAndExitFramesOnStdout() throws Exception {
        // the client waits for a running pod before it opens the exec stream
        var pod = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("nsm-1")
                .withNamespace("agents").endMetadata().withNewSpec().addNewContainer().withName("machine").withImage("x")
                .endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build();
        server.expect().get().withPath("/api/v1/namespaces/agents/pods/nsm-1").andReturn(200, pod).always();
        server.expect().get().withPath("/api/v1/namespaces/agents/pods?fieldSelector=metadata.name%3Dnsm-1")
                .andReturn(200, new io.fabric8.kubernetes.api.model.PodListBuilder().withNewMetadata().withResourceVersion("1")
                        .endMetadata().withItems(pod).build()).always();
        byte[] execFrame = ExecFrames.exec(1, "ubuntu", "/workspace", null, List.of("A=1"), List.of("echo", "hi"));
        server.expect()
                .withPath("/api/v1/namespaces/agents/pods/nsm-1/exec?command=execd&container=machine&stdin=true"
                        + "&stdout=true&stderr=true")
                .andUpgradeToWebSocket()
                .open(new WebSocketMessage(0L, onChannel(1, ExecFrames.frame('R', 0, "nightshift-execd 1".getBytes(UTF_8))),
                        false, true))
                .expect(new String(onChannel(0, execFrame), UTF_8))
                .andEmit(new WebSocketMessage(0L, onChannel(1, ExecFrames.frame('O', 1, "hi\n".getBytes(UTF_8)),
                        ExecFrames.frame('E', 1, "warn\n".getBytes(UTF_8)), ExecFrames.frame('X', 1, "3 0 0".getBytes(UTF_8))),
                        false, true))
                .once()
                .done().once();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (ExecServerClient s = PodExecServer.start("nsm-1", PodExecTransport.open(client, "agents", "nsm-1", List.of("execd")),
                scheduler, Duration.ofSeconds(10), gone -> { })) {
            ExecResult r = s.exec(ExecRequest.of("echo", "hi"), "ubuntu", "/workspace", List.of("A=1"))
                    .await(Duration.ofSeconds(10));
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stdoutTail()).isEqualTo("hi\n");
            assertThat(r.stderrTail()).isEqualTo("warn\n");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
