package dev.nightshift.kubernetes.internal;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The byte streams of one long-running command in a machine: the pod exec API's websocket in
 * production ({@link PodExecTransport}), a local process in tests of the protocol.
 *
 * <p>Thread-safety: {@link #stdin()} is written by one thread at a time, the two outputs are read
 * by one thread each. Lifecycle: {@link #close()} ends the command's streams.
 */
interface ExecTransport extends Closeable {
    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    @Override
    void close();
}
