package dev.nightshift.secrets.internal;

import dev.nightshift.api.runtime.ExecListener;
import dev.nightshift.secrets.Redactor;
import java.util.Objects;

/**
 * An {@link ExecListener} that redacts a command's output before passing it on: stdout and
 * stderr each go through their own streaming redactor over bytes, which looks for the UTF-8 form
 * of every form of every secret (no decoding: bytes that are not UTF-8 pass unchanged), so a
 * secret split across chunks, writes or lines is still found and the downstream never sees it;
 * the price is that up to the longest form's length less one byte waits for the next chunk,
 * released by {@link #flush()}. This is the engine's path for every command's output, before it
 * is cut into lines.
 *
 * <p><b>Thread-safety:</b> follows the {@link ExecListener} contract (one runtime thread per exec,
 * never concurrently for one exec). <b>Lifecycle:</b> one per exec; call {@link #flush()} once the
 * exec has ended (it also flushes a downstream {@link ExecListener.LineListener}).
 *
 * <pre>{@code
 * Redactor.OutputListener l = redactor.execListener(ExecListener.lines(recorder));
 * ExecResult r = machine.exec(ExecRequest.builder("bash", "-c", cmd).listener(l).build()).result().join();
 * l.flush();
 * }</pre>
 */
final class RedactingExecListener implements Redactor.OutputListener {
    private final ExecListener downstream;
    private final ByteStreamRedactor out;
    private final ByteStreamRedactor err;
    private final ByteStreamRedactor.Sink toOut;
    private final ByteStreamRedactor.Sink toErr;

    RedactingExecListener(Patterns patterns, ExecListener downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        boolean empty = patterns.isEmpty();
        this.out = empty ? null : new ByteStreamRedactor(patterns);
        this.err = empty ? null : new ByteStreamRedactor(patterns);
        this.toOut = downstream::onStdout;
        this.toErr = downstream::onStderr;
    }

    @Override
    public void onStdout(byte[] bytes, int offset, int length) {
        if (out == null) {
            downstream.onStdout(bytes, offset, length);
        } else {
            out.write(bytes, offset, length, toOut);
        }
    }

    @Override
    public void onStderr(byte[] bytes, int offset, int length) {
        if (err == null) {
            downstream.onStderr(bytes, offset, length);
        } else {
            err.write(bytes, offset, length, toErr);
        }
    }

    @Override
    public void flush() {
        if (out != null) {
            out.flush(toOut);
            err.flush(toErr);
        }
        if (downstream instanceof ExecListener.LineListener lines) {
            lines.flush();
        }
    }
}
