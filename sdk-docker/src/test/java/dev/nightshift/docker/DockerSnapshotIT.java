package dev.nightshift.docker;

import static dev.nightshift.docker.DockerTests.runLabels;
import static dev.nightshift.docker.DockerTests.runtime;
import static dev.nightshift.docker.DockerTests.spec;
import static dev.nightshift.docker.DockerTests.track;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import dev.nightshift.api.NotFoundException;
import dev.nightshift.api.runtime.ExecRequest;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineState;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Snapshots: commit, start from, list, delete, hibernate and restore, flattening of long chains. */
class DockerSnapshotIT {
    static final DockerClient DOCKER = DockerMachineIT.docker();
    static final List<String> TAKEN = new ArrayList<>();

    @AfterAll
    static void cleanUp() {
        TAKEN.forEach(id -> runtime().deleteSnapshot(id));
    }

    private static String out(Machine m, String script) {
        return m.exec(ExecRequest.bash(script).build()).await(Duration.ofSeconds(60)).stdoutTail();
    }

    @Test
    void aSnapshotKeepsTheDiskLabelsAndNoSecretFromTheSpec() {
        SnapshotInfo s;
        try (Machine m = track(runtime().start(spec().env("API_TOKEN", "s3cr3t-value").build()))) {
            out(m, "echo kept > /workspace/state.txt");
            s = m.snapshot(Map.of("dev.nightshift.spec.digest", "abc123"));
            TAKEN.add(s.id());
            assertThat(m.state()).as("the machine keeps running").isEqualTo(MachineState.RUNNING);
        }
        assertThat(s.id()).matches("snapshot-\\d{8}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(s.labels()).containsEntry("dev.nightshift.snapshot", s.id())
                .containsEntry("dev.nightshift.spec.digest", "abc123").containsKey("dev.nightshift.snapshot.source")
                .containsKey("dev.nightshift.snapshot.created");
        assertThat(runtime().findSnapshot(s.id())).contains(s);
        assertThat(runtime().snapshots(Map.of("dev.nightshift.spec.digest", "abc123"))).extracting(SnapshotInfo::id)
                .contains(s.id());
        InspectImageResponse image = DOCKER.inspectImageCmd(s.imageId()).exec();
        assertThat(String.join(" ", image.getConfig().getEnv())).doesNotContain("s3cr3t-value");

        try (Machine restored = track(runtime().start(spec().image(s.id()).build()))) {
            assertThat(out(restored, "cat /workspace/state.txt")).isEqualTo("kept\n");
        }
        String imageId = runtime().prepareImage(ImageSource.snapshot(s.id()), null).id();
        assertThat(imageId).isEqualTo(s.imageId());

        runtime().deleteSnapshot(s.id());
        assertThat(runtime().findSnapshot(s.id())).isEmpty();
        assertThatThrownBy(() -> runtime().prepareImage(ImageSource.snapshot(s.id()), null))
                .isInstanceOf(NotFoundException.class).hasMessageContaining(s.id());
        runtime().deleteSnapshot(s.id());
    }

    @Test
    void hibernateRemovesTheMachineAndARestoreContinues() {
        Machine m = track(runtime().start(spec().build()));
        out(m, "echo before-sleep > /workspace/h.txt");
        SnapshotInfo s = m.hibernate(Map.of());
        TAKEN.add(s.id());
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThat(runtime().machines(Map.of()).stream().filter(i -> i.id().equals(m.id()))).isEmpty();
        try (Machine back = track(runtime().start(spec().image(s.id()).build()))) {
            assertThat(out(back, "cat /workspace/h.txt")).isEqualTo("before-sleep\n");
        }
    }

    @Test
    void longChainsAreFlattenedAndKeepEverything() {
        try (DockerRuntime low = DockerRuntime.builder().flattenThreshold(3).build()) {
            String image = low.baseImage();
            for (int gen = 1; gen <= 4; gen++) {
                try (Machine m = track(low.start(MachineSpec.builder(image).user("ubuntu").labels(runLabels()).env("GEN", "" + gen)
                        .build()))) {
                    out(m, "echo gen$GEN > /workspace/gen$GEN.txt");
                    SnapshotInfo s = m.snapshot(Map.of());
                    TAKEN.add(s.id());
                    image = s.id();
                    InspectImageResponse i = DOCKER.inspectImageCmd(s.imageId()).exec();
                    assertThat(i.getRootFS().getLayers()).as("layers of generation %d", gen).hasSizeLessThanOrEqualTo(3);
                    assertThat(i.getConfig().getLabels()).containsEntry("dev.nightshift.snapshot", s.id());
                    assertThat(i.getConfig().getWorkingDir()).isEqualTo("/workspace");
                }
            }
            try (Machine last = track(low.start(MachineSpec.builder(image).user("ubuntu").labels(runLabels()).build()))) {
                assertThat(out(last, "cat /workspace/gen*.txt; git --version >/dev/null && echo git-ok"))
                        .isEqualTo("gen1\ngen2\ngen3\ngen4\ngit-ok\n");
            }
        }
    }
}
