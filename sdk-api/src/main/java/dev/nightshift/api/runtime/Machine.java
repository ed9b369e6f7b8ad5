package dev.nightshift.api.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An isolated computer an agent works in: exec, files, terminals, ports and snapshots.
 * It knows nothing of git or agents.
 *
 * <p><b>Thread-safety:</b> thread-safe; several commands may run at once.
 * <b>Lifecycle:</b> created by {@link MachineRuntime#start(MachineSpec)} or found by
 * {@link MachineRuntime#attach(String)}; {@link #close()} removes the machine and its disk (take a
 * {@link #snapshot} first to keep it). Operations on a removed or stopped machine fail with a
 * {@link dev.nightshift.api.NightshiftException} that names the machine.
 *
 * <pre>{@code
 * try (Machine m = runtime.start(MachineSpec.builder("nightshift/base:bookworm").user("ubuntu").build())) {
 *     ExecResult r = m.exec(ExecRequest.bash("echo hello").build()).await();
 *     m.writeFile("/workspace/notes.txt", "hi".getBytes(UTF_8));
 *     SnapshotInfo s = m.snapshot(Map.of());
 * }
 * }</pre>
 */
public interface Machine extends AutoCloseable {

    /** The runtime's id of this machine. */
    String id();

    /** The user commands run as by default. */
    String user();

    /** The labels the machine was created with, the runtime's own included. */
    Map<String, String> labels();

    /** The machine's current state, asked of the runtime. */
    MachineState state();

    /** Starts a command; see {@link ExecRequest} for user, workdir, env, stdin and timeout. */
    ExecHandle exec(ExecRequest request);

    /** Reads a whole file (as root). A missing file is a {@link dev.nightshift.api.NotFoundException}. */
    byte[] readFile(String path);

    /**
     * Writes a whole file, creating parent directories, with mode {@code 0644} owned by the
     * machine's user.
     */
    void writeFile(String path, byte[] content);

    /**
     * Copies a host file or directory tree into {@code machineDir} (created if missing), owned by
     * the machine's user: a file lands as {@code machineDir/<its name>}, a directory's
     * <em>contents</em> land in {@code machineDir} (like {@code cp -a dir/. machineDir}).
     */
    void copyIn(Path hostPath, String machineDir);

    /**
     * Copies {@code machinePath} (a file or a tree) out into {@code hostDir}, as
     * {@code hostDir/<its name>}. Entries that would
     * land outside {@code hostDir} ({@code ..}, absolute paths, links pointing outside) are
     * refused with an exception before anything of them is written.
     */
    void copyOut(String machinePath, Path hostDir);

    /** The machine's terminals (one tmux session). */
    Terminals terminals();

    /** Ports published on the host, one per port in the {@link MachineSpec}. */
    List<PortMapping> ports();

    /**
     * Saves the machine's disk as a snapshot it can be restarted from. The machine keeps
     * running. Processes and memory are not saved.
     *
     * @param labels extra labels (the runtime adds id, source machine and time)
     */
    SnapshotInfo snapshot(Map<String, String> labels);

    /** Snapshots the machine, then removes it; restore with {@code ImageSource.snapshot(id)}. */
    SnapshotInfo hibernate(Map<String, String> labels);

    /** Stops all processes but keeps the disk. */
    void stop();

    /**
     * Changes where this running machine may connect, effective on its next connection (open
     * connections are kept). Widening from or narrowing to {@link EgressPolicy#ALLOW_ALL} needs
     * a new machine: the machine's network is fixed at start.
     *
     * @throws UnsupportedOperationException when the runtime cannot change it, or the change
     *     crosses between allow-all and restricted
     */
    default void updateEgress(EgressPolicy policy) {
        throw new UnsupportedOperationException("this runtime cannot change the egress policy of a running machine");
    }

    /**
     * The requests to the network this machine's egress proxy refused since {@code since}, oldest
     * first; empty for an unrestricted machine.
     */
    default List<EgressBlock> blockedRequests(java.time.Instant since) {
        return List.of();
    }

    /** Removes the machine and its disk. Idempotent; never throws a checked exception. */
    @Override
    void close();
}
