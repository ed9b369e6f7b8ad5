package dev.nightshift.model.internal;

/** A tool's command was cancelled by an interrupt hook (stop, cancel, take-over). */
public final class ToolInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ToolInterruptedException() {
        super("interrupted", null, false, false);
    }
}
