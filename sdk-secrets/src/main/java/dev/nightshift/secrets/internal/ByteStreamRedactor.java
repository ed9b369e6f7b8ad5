package dev.nightshift.secrets.internal;

import dev.nightshift.secrets.Redactor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link StreamRedactor} over bytes: finds the UTF-8 form of every secret form in a byte stream
 * without decoding it, and hands on what is safe to emit, with each match replaced by
 * {@link Redactor#MARK}, as slices of its own buffer (no copy where nothing was found). A UTF-8
 * pattern starts at a character boundary of well-formed input, so no character is cut.
 *
 * <p><b>Thread-safety:</b> not thread-safe: one per stream. <b>Lifecycle:</b> {@link #flush}
 * when the stream ends (it may then be reused).
 */
final class ByteStreamRedactor {
    private static final byte[] MARK = Redactor.MARK.getBytes(StandardCharsets.US_ASCII);

    /** Receives redacted bytes; the array is valid only during the call. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] bytes, int offset, int length);
    }

    private final Automaton automaton;
    private final int holdback;
    private byte[] buf = new byte[16 * 1024];
    private int length;
    private int state;
    private final PendingMatches pending = new PendingMatches();
    private byte[] out = new byte[1024];
    private int outLength;
    private final PendingMatches.Emitter emitter = new PendingMatches.Emitter() {
        @Override
        public void plain(int from, int to) {
            append(buf, from, to - from);
        }

        @Override
        public void mark() {
            append(MARK, 0, MARK.length);
        }
    };

    ByteStreamRedactor(Patterns patterns) {
        this.automaton = patterns.bytesAutomaton();
        this.holdback = Math.max(0, automaton.maxLength() - 1);
    }

    /** Takes the next bytes and hands what can be emitted now to {@code sink}. */
    void write(byte[] bytes, int offset, int count, Sink sink) {
        ensure(count);
        System.arraycopy(bytes, offset, buf, length, count);
        state = automaton.scan(buf, length, length + count, state, pending.intervals, pending.count);
        length += count;
        // only what may begin a match still to come waits: the automaton's depth, at most the holdback
        drain(Math.max(pending.done, length - Math.min(holdback, automaton.pendingDepth(state))), sink);
    }

    /** Ends the stream: hands on the rest and resets. */
    void flush(Sink sink) {
        drain(length, sink);
        length = 0;
        state = 0;
        pending.reset();
    }

    private void ensure(int more) {
        if (length + more <= buf.length) {
            return;
        }
        int done = pending.done;
        if (done > 0) {
            System.arraycopy(buf, done, buf, 0, length - done);
            pending.shift(done);
            length -= done;
        }
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    private void drain(int limit, Sink sink) {
        int from = pending.done;
        if (pending.none()) {
            if (limit > from) {
                sink.accept(buf, from, limit - from); // the common case: nothing found, no copy
            }
            pending.advance(limit);
            return;
        }
        outLength = 0;
        pending.drain(limit, emitter);
        if (outLength > 0) {
            sink.accept(out, 0, outLength);
        }
    }

    private void append(byte[] from, int offset, int n) {
        if (outLength + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + n));
        }
        System.arraycopy(from, offset, out, outLength, n);
        outLength += n;
    }
}
