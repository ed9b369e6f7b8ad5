package dev.nightshift.core.secrets;

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
    private int done;
    private int state;
    private final int[][] intervals = {new int[16]};
    private final int[] count = {0};
    private boolean open;
    private byte[] out = new byte[1024];

    ByteStreamRedactor(Redactor redactor) {
        this.automaton = redactor.bytesAutomaton();
        // the longest form in bytes: a char takes at most 3 UTF-8 bytes
        this.holdback = Math.max(0, automaton.maxLength() - 1);
    }

    /** Takes the next bytes and hands what can be emitted now to {@code sink}. */
    void write(byte[] bytes, int offset, int count, Sink sink) {
        ensure(count);
        System.arraycopy(bytes, offset, buf, length, count);
        state = automaton.scan(buf, length, length + count, state, intervals, this.count);
        length += count;
        // only what may begin a match still to come waits: the automaton's depth, at most the holdback
        drain(Math.max(done, length - Math.min(holdback, automaton.pendingDepth(state))), sink);
    }

    /** Ends the stream: hands on the rest and resets. */
    void flush(Sink sink) {
        drain(length, sink);
        length = 0;
        done = 0;
        state = 0;
        count[0] = 0;
        open = false;
    }

    private void ensure(int more) {
        if (length + more <= buf.length) {
            return;
        }
        if (done > 0) {
            System.arraycopy(buf, done, buf, 0, length - done);
            int[] iv = intervals[0];
            for (int i = 0, m = 2 * count[0]; i < m; i++) {
                iv[i] -= done;
            }
            length -= done;
            done = 0;
        }
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    private void drain(int limit, Sink sink) {
        int n = count[0];
        int[] iv = intervals[0];
        int pos = done;
        boolean redacting = open;
        int outLength = -1;
        int k = 0;
        for (; k < n; k++) {
            int s = iv[2 * k];
            int e = iv[2 * k + 1];
            if (e <= pos) {
                continue;
            }
            if (redacting && s <= pos) {
                pos = e;
                continue;
            }
            if (s >= limit) {
                break;
            }
            if (outLength < 0) {
                outLength = 0;
            }
            outLength = append(outLength, buf, pos, s - pos);
            outLength = append(outLength, MARK, 0, MARK.length);
            pos = e;
            redacting = true;
        }
        if (k > 0) {
            System.arraycopy(iv, 2 * k, iv, 0, 2 * (n - k));
            count[0] = n - k;
        }
        if (outLength < 0) {
            if (limit > pos) {
                sink.accept(buf, pos, limit - pos); // the common case: nothing found, no copy
            }
        } else {
            if (limit > pos) {
                outLength = append(outLength, buf, pos, limit - pos);
            }
            sink.accept(out, 0, outLength);
        }
        if (limit > pos) {
            pos = limit;
            redacting = false;
        }
        done = pos;
        open = redacting;
    }

    private int append(int at, byte[] from, int offset, int n) {
        if (at + n > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, at + n));
        }
        System.arraycopy(from, offset, out, at, n);
        return at + n;
    }
}
