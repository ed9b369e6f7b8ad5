package dev.nightshift.machine;

import java.io.IOException;

/**
 * How requests reach an exec server's stdin: the one part of the exec server that differs between
 * runtimes (Docker: a queue the engine's attach stream reads; Kubernetes: the pod exec websocket;
 * tests: a local process). What the server writes back goes the other way, to
 * {@link ExecServerClient#received} and {@link ExecServerClient#diagnostic}.
 *
 * <pre>{@code
 * ExecChannel channel = new ExecChannel() {
 *     public synchronized void send(byte[] frame) throws IOException { stdin.write(frame); stdin.flush(); }
 *     public void close() { process.destroy(); }
 * };
 * }</pre>
 *
 * <p>Thread-safety: implementations are thread-safe: {@link #send} is called by any thread and must
 * keep each frame whole (write it under a lock, or queue it). Lifecycle: {@link #close()} is
 * called once, when the server ends for whatever reason, and releases the streams.
 */
public interface ExecChannel {
    /** Sends one whole frame (the array is the caller's no more: it may be kept, not copied). */
    void send(byte[] frame) throws IOException;

    /** Releases the server's streams; the server sees its stdin end. Throws nothing. */
    void close();
}
