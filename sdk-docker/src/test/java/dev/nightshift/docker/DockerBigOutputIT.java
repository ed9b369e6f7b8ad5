package dev.nightshift.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 200 MB of output pass through a JVM with a 64 MB heap, every byte counted, on both exec paths. */
class DockerBigOutputIT {
    @ParameterizedTest(name = "exec servers {0}")
    @ValueSource(booleans = {true, false})
    void twoHundredMegabytesPassThroughASixtyFourMegabyteHeap(boolean servers) throws IOException, InterruptedException {
        DockerTests.runtime(); // the engine requirement: skip or fail like every Docker test
        long bytes = 200L * 1024 * 1024;
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", cp, BigOutputMain.class.getName(),
                DockerTests.RUN_ID, Long.toString(bytes), Boolean.toString(servers))).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("child output:%n%s", out).isZero();
        assertThat(out).contains("bytes " + bytes + " " + bytes + " exit 0 maxHeap ");
        assertThat(out).contains("viaServer " + servers);
        long maxHeap = Long.parseLong(out.replaceAll("(?s).*maxHeap (\\d+).*", "$1"));
        assertThat(maxHeap).as("the child really ran with a small heap").isLessThanOrEqualTo(64L << 20);
        String id = out.replaceAll("(?s).*machine (\\w+).*", "$1");
        DockerTests.STARTED.add(id);
    }
}
