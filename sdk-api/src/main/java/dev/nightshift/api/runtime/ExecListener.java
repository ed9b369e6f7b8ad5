package dev.nightshift.api.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * Receives a command's output as it arrives, stdout and stderr separately, in chunks of bytes.
 * Nothing is held in memory on the listener's behalf, so a command that prints gigabytes passes
 * through.
 *
 * <p><b>Thread-safety:</b> called from one runtime thread per exec, never concurrently for the
 * same exec; a listener shared by several execs must be thread-safe itself. It must not block
 * for long: the command's output backs up behind it. <b>Lifecycle:</b> called until the exec's
 * result completes; no call after that.
 *
 * <pre>{@code
 * ExecListener lines = ExecListener.lines((stream, line) -> System.out.println(stream + ": " + line));
 * machine.exec(ExecRequest.builder("bash", "-c", "make test").listener(lines).build());
 * }</pre>
 */
public interface ExecListener {

    /** A listener that drops everything. */
    ExecListener NONE = new ExecListener() { };

    /** A chunk of standard output. The array is only valid during the call. */
    default void onStdout(byte[] bytes, int offset, int length) {
    }

    /** A chunk of standard error. The array is only valid during the call. */
    default void onStderr(byte[] bytes, int offset, int length) {
    }

    /** The stream a chunk came from. */
    enum Stream {
        STDOUT, STDERR
    }

    /**
     * Decodes output as UTF-8 and calls {@code consumer} once per complete line (without the
     * line terminator), per stream; a last line without a newline is delivered by
     * {@link LineListener#flush()} (the runtime calls it when the command ends, if it sees a
     * {@code LineListener}). Lines longer than 64 KiB are split.
     */
    static LineListener lines(BiConsumer<Stream, String> consumer) {
        return new LineListener(consumer);
    }

    /**
     * Splits output into UTF-8 lines; see {@link ExecListener#lines}.
     *
     * <p><b>Thread-safety:</b> safe for the one-thread-per-exec contract of {@link ExecListener}.
     * <b>Lifecycle:</b> one per exec.
     */
    final class LineListener implements ExecListener {
        private static final int MAX_LINE = 64 * 1024;
        private final BiConsumer<Stream, String> consumer;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        private LineListener(BiConsumer<Stream, String> consumer) {
            this.consumer = consumer;
        }

        @Override
        public synchronized void onStdout(byte[] bytes, int offset, int length) {
            feed(Stream.STDOUT, out, bytes, offset, length);
        }

        @Override
        public synchronized void onStderr(byte[] bytes, int offset, int length) {
            feed(Stream.STDERR, err, bytes, offset, length);
        }

        /** Delivers any partial last line of each stream. */
        public synchronized void flush() {
            emit(Stream.STDOUT, out);
            emit(Stream.STDERR, err);
        }

        private void feed(Stream stream, ByteArrayOutputStream buf, byte[] bytes, int offset, int length) {
            int start = offset;
            int end = offset + length;
            while (start < end) {
                int nl = indexOf(bytes, (byte) '\n', start, end);
                int stop = nl < 0 ? end : nl;
                if (buf.size() + (stop - start) > MAX_LINE) {
                    int take = MAX_LINE - buf.size();
                    buf.write(bytes, start, take);
                    emit(stream, buf);
                    start += take;
                    continue;
                }
                if (nl < 0) {
                    buf.write(bytes, start, end - start);
                    return;
                }
                if (buf.size() == 0) {
                    deliver(stream, new String(bytes, start, nl - start, StandardCharsets.UTF_8));
                } else {
                    buf.write(bytes, start, nl - start);
                    emit(stream, buf);
                }
                start = nl + 1;
            }
        }

        private static int indexOf(byte[] bytes, byte b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }

        private void emit(Stream stream, ByteArrayOutputStream buf) {
            if (buf.size() == 0) {
                return;
            }
            String line = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            deliver(stream, line);
        }

        private void deliver(Stream stream, String line) {
            consumer.accept(stream, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }
}
