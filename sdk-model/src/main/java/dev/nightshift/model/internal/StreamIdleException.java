package dev.nightshift.model.internal;

/** A streamed answer stopped sending anything for longer than the idle limit (retried like a timeout). */
public final class StreamIdleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StreamIdleException(String message) {
        super(message, null, false, false);
    }
}
