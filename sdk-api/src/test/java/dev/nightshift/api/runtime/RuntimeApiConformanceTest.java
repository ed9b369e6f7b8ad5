package dev.nightshift.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.api.NotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The part of the runtime contract that runs no command in a machine: machines listed by label,
 * attached and removed, snapshots recorded, found, restored as images and deleted. A runtime
 * whose API can be served without real machines (the Kubernetes runtime against a mock API
 * server) passes this part alone; {@link RuntimeConformanceTest} adds what needs real machines
 * (exec, files, terminals, disk contents), and every real runtime passes both.
 *
 * <p>Thread-safety: a JUnit test class. Lifecycle: one instance per test; the runtime is the
 * subclass's to close, every machine and snapshot a test makes is removed after it.
 *
 * <pre>{@code
 * class KubernetesRuntimeApiConformanceTest extends RuntimeApiConformanceTest {
 *     protected MachineRuntime runtime() { return runtimeOnTheMockServer; }
 *     protected MachineSpec.Builder spec() { return MachineSpec.builder("registry.local/app:1").user("ubuntu"); }
 * }
 * }</pre>
 */
public abstract class RuntimeApiConformanceTest {
    final List<Machine> machines = Collections.synchronizedList(new ArrayList<>());
    final List<String> snapshots = Collections.synchronizedList(new ArrayList<>());
    final String testLabel = "conformance-" + UUID.randomUUID();

    @TempDir
    protected Path tmp;

    /** The runtime under test; shared by the tests, closed by the subclass. */
    protected abstract MachineRuntime runtime();

    /** A spec for a fresh machine: image, user (who must exist), labels marking the test run. */
    protected abstract MachineSpec.Builder spec();

    /** Starts a machine the test owns; it is closed after the test. */
    protected Machine start(MachineSpec.Builder spec) {
        Machine m = runtime().start(spec.label("dev.nightshift.conformance", testLabel).build());
        machines.add(m);
        return m;
    }

    SnapshotInfo keep(SnapshotInfo s) {
        snapshots.add(s.id());
        return s;
    }

    @AfterEach
    void cleanUp() {
        machines.forEach(Machine::close);
        snapshots.forEach(id -> runtime().deleteSnapshot(id));
    }

    @Test
    void machinesAreListedByLabelAttachedAndRemoved() {
        Machine m = start(spec());
        List<MachineInfo> found = runtime().machines(Map.of("dev.nightshift.conformance", testLabel));
        assertThat(found).extracting(MachineInfo::id).containsExactly(m.id());
        assertThat(found.get(0).state()).isEqualTo(MachineState.RUNNING);
        assertThat(found.get(0).labels()).containsEntry("dev.nightshift.conformance", testLabel);
        assertThat(m.state()).isEqualTo(MachineState.RUNNING);
        Machine attached = runtime().attach(m.id()).orElseThrow();
        assertThat(attached.id()).isEqualTo(m.id());
        assertThat(attached.user()).isEqualTo(m.user());
        assertThat(runtime().attach("no-such-machine")).isEmpty();
        m.close();
        m.close();
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThat(runtime().machines(Map.of("dev.nightshift.conformance", testLabel))).isEmpty();
        assertThat(runtime().attach(m.id())).isEmpty();
    }

    @Test
    void snapshotsAreRecordedFoundRestoredAsImagesAndDeleted() {
        Machine m = start(spec());
        SnapshotInfo s = keep(m.snapshot(Map.of("dev.nightshift.conformance", testLabel)));
        assertThat(s.id()).matches("snapshot-\\d{8}-[0-9a-f-]{36}");
        assertThat(s.label(SnapshotInfo.LABEL_ID)).contains(s.id());
        assertThat(s.label(SnapshotInfo.LABEL_SOURCE)).contains(m.id());
        assertThat(runtime().findSnapshot(s.id())).map(SnapshotInfo::imageId).contains(s.imageId());
        assertThat(runtime().snapshots(Map.of("dev.nightshift.conformance", testLabel))).extracting(SnapshotInfo::id)
                .contains(s.id());
        Image image = runtime().prepareImage(ImageSource.snapshot(s.id()), line -> { });
        Machine copy = start(spec().image(image.id()));
        assertThat(copy.state()).isEqualTo(MachineState.RUNNING);
        copy.close();

        SnapshotInfo h = keep(m.hibernate(Map.of()));
        assertThat(m.state()).isEqualTo(MachineState.GONE);
        assertThat(runtime().findSnapshot(h.id())).isPresent();

        runtime().deleteSnapshot(s.id());
        assertThat(runtime().findSnapshot(s.id())).isEmpty();
        assertThatThrownBy(() -> runtime().prepareImage(ImageSource.snapshot(s.id()), line -> { }))
                .isInstanceOf(NotFoundException.class);
        runtime().deleteSnapshot("snapshot-20000101-00000000-0000-0000-0000-000000000000");
    }
}
