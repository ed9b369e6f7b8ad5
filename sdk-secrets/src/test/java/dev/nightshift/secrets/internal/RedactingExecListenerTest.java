package dev.nightshift.secrets.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.secrets.Redactor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RedactingExecListener}, through its entry point {@link Redactor#execListener}. */
class RedactingExecListenerTest {
    static final String SECRET = "sk-live-Ünïcødé-Tøken-0123456789";

    static final class Capture implements ExecListener {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public void onStdout(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public void onStderr(byte[] b, int off, int len) {
            err.write(b, off, len);
        }
    }

    @Test
    void aSecretPrintedAtRandomChunkBoundariesNeverReachesTheRecorder() {
        Redactor redactor = Redactor.of(Map.of("API_TOKEN", SECRET));
        String output = "starting ✓\nexport API_TOKEN=" + SECRET + "\nencoded "
                + Base64.getEncoder().encodeToString(("user:" + SECRET).getBytes(StandardCharsets.UTF_8))
                + "\ndone — ok ✓\n";
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        String expected = redactor.redact(output);
        assertThat(expected).doesNotContain(SECRET).contains("export API_TOKEN=[REDACTED]\n").contains("done — ok ✓");
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            Capture capture = new Capture();
            Redactor.OutputListener l = redactor.execListener(capture);
            int at = 0;
            while (at < bytes.length) {
                int len = Math.min(bytes.length - at, 1 + random.nextInt(round % 2 == 0 ? 3 : 40));
                l.onStdout(bytes, at, len); // cuts inside multi-byte characters too
                l.onStderr(bytes, at, len);
                at += len;
            }
            l.flush();
            assertThat(capture.out.toString(StandardCharsets.UTF_8)).as("round %d", round).isEqualTo(expected);
            assertThat(capture.err.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
        }
    }

    @Test
    void flushesADownstreamLineListener() {
        List<String> lines = new ArrayList<>();
        Redactor.OutputListener l = Redactor.of(Map.of("T", SECRET)).execListener(
                ExecListener.lines((stream, line) -> lines.add(stream + " " + line)));
        byte[] b = ("a\nb " + SECRET).getBytes(StandardCharsets.UTF_8);
        l.onStdout(b, 0, b.length);
        l.flush();
        assertThat(lines).containsExactly("STDOUT a", "STDOUT b [REDACTED]");
    }

    @Test
    void withoutSecretsPassesOutputThroughUnchanged() {
        Capture capture = new Capture();
        Redactor.OutputListener l = Redactor.none().execListener(capture);
        byte[] b = "plain ✓ output".getBytes(StandardCharsets.UTF_8);
        l.onStdout(b, 0, 5);
        l.onStdout(b, 5, b.length - 5);
        l.flush();
        assertThat(capture.out.toByteArray()).isEqualTo(b);
    }
}
