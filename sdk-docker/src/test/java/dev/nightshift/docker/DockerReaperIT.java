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
        return container(owner, Map.of());
    }

    private static String container(Labels.Owner owner, Map<String, String> extra) {
        Map<String, String> labels = new HashMap<>(owner.labels());
        labels.putAll(extra);
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
        // what the runtime knows of a machine comes in its spec: an agent's label alone keeps nothing
        String deadAgentsId = container(dead, Map.of(DockerRuntime.LABEL_AGENT, "agent-1"));
        String keptId = container(dead, Map.of(Labels.KEEP_ON_OWNER_EXIT, "true"));
        String reusedId = container(reused);
        String elsewhereId = container(elsewhere);
        String otherNamespaceId = container(otherNamespace);
        try (Machine alive = track(runtime().start(spec().build()))) {
            List<String> removed = runtime().reapOrphans();
            assertThat(removed).contains(deadId, reusedId, deadAgentsId)
                    .doesNotContain(elsewhereId, otherNamespaceId, alive.id(), keptId);
            assertThat(exists(keptId)).as("a machine started with keepOnOwnerExit outlives its owner").isTrue();
            assertThat(exists(deadId)).isFalse();
            assertThat(exists(reusedId)).as("a pid reused by a process with another start time is dead").isFalse();
            assertThat(exists(elsewhereId)).as("another host's machine is left alone").isTrue();
            assertThat(exists(otherNamespaceId)).as("a machine of another pid namespace is left alone").isTrue();
            assertThat(exists(alive.id())).isTrue();
        } finally {
            DOCKER.removeContainerCmd(elsewhereId).withForce(true).exec();
            DOCKER.removeContainerCmd(otherNamespaceId).withForce(true).exec();
            DOCKER.removeContainerCmd(keptId).withForce(true).exec();
        }
    }

    @Test
    void keepOnOwnerExitIsRecordedOnTheMachine() {
        try (Machine kept = track(runtime().start(spec().keepOnOwnerExit(true).build()));
                Machine plain = track(runtime().start(spec().build()))) {
            assertThat(DOCKER.inspectContainerCmd(kept.id()).exec().getConfig().getLabels())
                    .containsEntry(Labels.KEEP_ON_OWNER_EXIT, "true");
            assertThat(DOCKER.inspectContainerCmd(plain.id()).exec().getConfig().getLabels())
                    .doesNotContainKey(Labels.KEEP_ON_OWNER_EXIT);
        }
    }
}
