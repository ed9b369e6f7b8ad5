package dev.nightshift.model.internal;

/** A model call was aborted by an interrupt hook (stop, cancel, timeout, take-over) or a thread interrupt. */
public final class CallInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CallInterruptedException() {
        super("model call interrupted", null, false, false);
    }
}
