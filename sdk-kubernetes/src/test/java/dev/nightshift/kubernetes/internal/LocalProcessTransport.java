package dev.nightshift.kubernetes.internal;

import dev.nightshift.machine.ExecServerClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** {@code perl -e execd.pl} as a local process: the same byte streams a pod exec gives. */
final class LocalProcessTransport implements ExecTransport {
    final Process process;

    LocalProcessTransport() throws IOException {
        process = new ProcessBuilder(ExecServerClient.COMMAND).start();
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
