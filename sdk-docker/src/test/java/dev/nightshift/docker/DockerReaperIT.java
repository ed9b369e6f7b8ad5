package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.docker.internal.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-process reaper removes machines whose owner process is gone, and only those. */
class DockerReaperIT {
    static final DockerClient DOCKER = DockerMachineIT.docker();

    private static String container(Labels.Owner owner) {
        Map<String, String> labels = new HashMap<>(owner.labels());
        labels.put(Labels.MANAGED, "true");
        labels.putAll(DockerTests.runLabels());
        String id = DOCKER.createContainerCmd(runtime().baseImage()).withLabels(labels).withCmd("sleep", "300").exec().getId();
        DockerTests.STARTED.add(id);
        return id;
    }

    private static boolean exists(String id) {
        try {
            DOCKER.inspectContainerCmd(id).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Test
    void removesMachinesOfDeadOwnersOnly() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        Labels.Owner dead = Labels.ownerOf(p.toHandle());
        p.destroyForcibly();
        p.waitFor();
        Labels.Owner reused = new Labels.Owner(Labels.self().host(), Labels.self().pid(), Labels.self().startMillis() - 60_000);
        Labels.Owner elsewhere = new Labels.Owner("another-host.example", dead.pid(), dead.startMillis());
        Labels.Owner otherNamespace = new Labels.Owner(dead.host(), dead.pid(), dead.startMillis(), "pid:[1]");

        String deadId = container(dead);
        String reusedId = container(reused);
        String elsewhereId = container(elsewhere);
        String otherNamespaceId = container(otherNamespace);
        try (Machine alive = track(runtime().start(spec().build()))) {
            List<String> removed = runtime().reapOrphans();
            assertThat(removed).contains(deadId, reusedId).doesNotContain(elsewhereId, otherNamespaceId, alive.id());
            assertThat(exists(deadId)).isFalse();
            assertThat(exists(reusedId)).as("a pid reused by a process with another start time is dead").isFalse();
            assertThat(exists(elsewhereId)).as("another host's machine is left alone").isTrue();
            assertThat(exists(otherNamespaceId)).as("a machine of another pid namespace is left alone").isTrue();
            assertThat(exists(alive.id())).isTrue();
        } finally {
            DOCKER.removeContainerCmd(elsewhereId).withForce(true).exec();
            DOCKER.removeContainerCmd(otherNamespaceId).withForce(true).exec();
        }
    }
}
