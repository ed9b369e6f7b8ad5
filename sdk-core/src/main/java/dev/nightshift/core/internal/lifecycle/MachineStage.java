package dev.nightshift.core.internal.lifecycle;

import dev.nightshift.api.AgentEvent;
import dev.nightshift.api.runtime.Image;
import dev.nightshift.api.runtime.ImageSource;
import dev.nightshift.api.runtime.Machine;

/** Stage 4, machine: a machine started on the environment snapshot, or restored from a hibernation. */
public final class MachineStage {
    private MachineStage() {
    }

    /** Starts the agent's first machine on {@code snapshotId} (its environment's snapshot). */
    public static Machine start(AgentScope a, String snapshotId, Environment env) {
        a.enter(Phase.START_MACHINE);
        Image image = a.engine().runtime().prepareImage(ImageSource.snapshot(snapshotId),
                line -> a.emit(new AgentEvent.BuildOutput(a.id(), 0, a.now(), line)));
        return a.machine().start(image, env.user(), env.resolved().spec());
    }

    /** Starts a machine on the hibernation snapshot {@code snapshotId}. */
    public static Machine restore(AgentScope a, String snapshotId, Environment env) {
        Image image = a.engine().runtime().prepareImage(ImageSource.snapshot(snapshotId), line -> { });
        Machine m = a.machine().start(image, env.user(), env.resolved().spec());
        a.emit(new AgentEvent.MachineChanged(a.id(), 0, a.now(), "restored", m.id(), snapshotId));
        return m;
    }
}
