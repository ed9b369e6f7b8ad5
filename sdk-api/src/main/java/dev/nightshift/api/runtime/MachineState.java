package dev.nightshift.api.runtime;

/**
 * The state of a machine.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a constant.
 */
public enum MachineState {
    /** Running: exec, files and terminals work. */
    RUNNING,
    /** Stopped but not removed: its disk is intact; exec fails. */
    STOPPED,
    /** Removed, or never existed. */
    GONE
}
