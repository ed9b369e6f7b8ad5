package dev.nightshift.core;

import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageInfo;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;
import dev.nightshift.api.runtime.MachineInfo;
import dev.nightshift.api.runtime.MachineSpec;
import dev.nightshift.api.runtime.MachineRuntime;
import dev.nightshift.api.runtime.SnapshotInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The real runtime with a gate before its first {@link #prepareImage}: a test holds an agent in
 * its build stage ({@link #reached}), acts, then {@link #open}s the gate. Everything else goes
 * straight to the real runtime.
 */
final class GatedRuntime implements MachineRuntime {
    private final MachineRuntime real;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    GatedRuntime(MachineRuntime real) {
        this.real = real;
    }

    /** Waits until an agent is at the gate; false when none came within the wait. */
    boolean reached(long seconds) throws InterruptedException {
        return reached.await(seconds, TimeUnit.SECONDS);
    }

    void open() {
        open.countDown();
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public Image prepareImage(ImageSource source, Consumer<String> output) {
        reached.countDown();
        try {
            if (!open.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the test never opened the gate");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the gate", e);
        }
        return real.prepareImage(source, output);
    }

    @Override
    public Machine start(MachineSpec spec) {
        return real.start(spec);
    }

    @Override
    public Optional<Machine> attach(String machineId) {
        return real.attach(machineId);
    }

    @Override
    public List<MachineInfo> machines(Map<String, String> labels) {
        return real.machines(labels);
    }

    @Override
    public Optional<SnapshotInfo> findSnapshot(String snapshotId) {
        return real.findSnapshot(snapshotId);
    }

    @Override
    public List<SnapshotInfo> snapshots(Map<String, String> labels) {
        return real.snapshots(labels);
    }

    @Override
    public void deleteSnapshot(String snapshotId) {
        real.deleteSnapshot(snapshotId);
    }

    @Override
    public List<ImageInfo> images(Map<String, String> labels) {
        return real.images(labels);
    }

    @Override
    public boolean removeImage(String imageId) {
        return real.removeImage(imageId);
    }

    @Override
    public boolean enforcesEgress() {
        return real.enforcesEgress();
    }

    @Override
    public void close() {
        real.close();
    }
}
