package dev.nightshift.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A process that exits without closing its machines has them removed by the shutdown hook. */
class DockerExitHookIT {
    @Test
    void machinesOfAnExitingProcessAreRemoved() throws Exception {
        DockerTests.runtime();
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-cp", cp, ExitHookMain.class.getName(), DockerTests.RUN_ID))
                .redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(out).as("child output").containsPattern("machine [0-9a-f]{64}");
        String id = out.replaceAll("(?s).*machine ([0-9a-f]{64}).*", "$1");
        DockerTests.STARTED.add(id);
        var docker = DockerMachineIT.docker();
        boolean exists;
        try {
            docker.inspectContainerCmd(id).exec();
            exists = true;
        } catch (NotFoundException e) {
            exists = false;
        }
        assertThat(exists).as("machine %s of the exited process", id).isFalse();
    }
}
