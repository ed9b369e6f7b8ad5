package dev.nightshift.api;

import dev.nightshift.api.runtime.SnapshotInfo;

/**
 * A machine set up by hand (the manual setup flow): started from the environment's base
 * (snapshot &gt; build &gt; image &gt; default) with the repository checked out in the workspace and
 * no agent attached. A person attaches ({@link #attach()}), installs what the repository needs,
 * and {@link #snapshot(String)} saves the disk as a snapshot that environment.json can name
 * ({@code "snapshot": "<id>"}). Processes started during setup are not kept, only the disk.
 *
 * <p><b>Thread-safety:</b> thread-safe. <b>Lifecycle:</b> the machine runs until {@link #close()}
 * (or {@code Nightshift.removeSetup}); it outlives the process that started it, so another
 * process finds it again by {@link #id()}.
 *
 * <pre>{@code
 * try (SetupSession s = nightshift.setup("file:///srv/git/app.git", null)) {
 *     System.out.println(s.attach().commandLine()); // a person installs things, then detaches
 *     String id = s.snapshot("with-toolchain").id(); // put it in environment.json: "snapshot": id
 * }
 * }</pre>
 */
public interface SetupSession extends Session {

    /** The setup's id ({@code setup-...}). */
    String id();

    /** The repository checked out in the workspace. */
    String repository();

    /**
     * Snapshots the machine's disk (running processes are not kept); the machine keeps running.
     *
     * @param name a label for people (may be null)
     * @return the snapshot; its id goes into environment.json as {@code "snapshot"}
     */
    SnapshotInfo snapshot(String name);

    /** {@link #snapshot(String)} without a name. */
    default SnapshotInfo snapshot() {
        return snapshot(null);
    }

    /** Removes the machine (its disk is lost unless snapshotted). Idempotent. */
    @Override
    void close();
}
