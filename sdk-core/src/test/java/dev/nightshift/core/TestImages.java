package dev.nightshift.core;

import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import dev.nightshift.core.internal.ImageGc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the engines of a test made on the Docker engine, found by the state directory their store
 * lives in (every machine and image of an engine's store carries it as a label): removed after
 * the test, so no test leaves machines or images behind.
 */
final class TestImages {
    private TestImages() {
    }

    private static boolean under(Map<String, String> labels, Path dir) {
        String path = labels.get(ImageGc.LABEL_STORE_PATH);
        return path != null && Path.of(path).startsWith(dir.toAbsolutePath().normalize());
    }

    /** Machines, snapshots and Dockerfile builds of every store whose state directory is under {@code dir}. */
    static List<String> under(MachineRuntime runtime, Path dir) {
        List<String> out = new ArrayList<>();
        for (MachineInfo m : runtime.machines(Map.of())) {
            if (under(m.labels(), dir)) {
                out.add("machine " + m.id());
            }
        }
        for (ImageInfo i : runtime.images(Map.of())) {
            if (under(i.labels(), dir)) {
                out.add("image " + i.id() + " " + i.references());
            }
        }
        return out;
    }

    /** Removes machines, then snapshots, then Dockerfile builds of the stores under {@code dir}. */
    static void removeUnder(MachineRuntime runtime, Path dir) {
        for (MachineInfo m : runtime.machines(Map.of())) {
            if (under(m.labels(), dir)) {
                runtime.attach(m.id()).ifPresent(Machine::close);
            }
        }
        // snapshots newest first: an agent's snapshot goes before the environment it was built on
        List<SnapshotInfo> snapshots = new ArrayList<>(runtime.snapshots(Map.of()).stream()
                .filter(s -> under(s.labels(), dir)).toList());
        snapshots.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        for (SnapshotInfo s : snapshots) {
            runtime.deleteSnapshot(s.id());
        }
        for (ImageInfo i : runtime.images(Map.of())) {
            if (under(i.labels(), dir)) {
                runtime.removeImage(i.id());
            }
        }
    }
}
