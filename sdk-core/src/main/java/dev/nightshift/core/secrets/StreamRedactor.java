package dev.nightshift.core.secrets;

import java.util.Arrays;

/**
 * Redacts one stream of text that arrives in chunks (a command's stdout, a terminal), finding a
 * secret even when it is split across chunks. Each {@link #write} returns what is safe to emit
 * now; it holds back at most {@code maxLength() - 1} characters of the redactor (a possible
 * beginning of a secret), which {@link #flush()} releases at the end. The concatenated output
 * equals {@link Redactor#redact} of the concatenated input, however the input was cut.
 *
 * <p><b>Thread-safety:</b> not thread-safe: one per stream, fed by one thread at a time.
 * <b>Lifecycle:</b> {@link Redactor#stream()} creates it; call {@link #flush()} when the stream
 * ends (it may then be reused for a new stream).
 *
 * <pre>{@code
 * StreamRedactor out = redactor.stream();
 * for (String chunk : chunks) emit(out.write(chunk));
 * emit(out.flush());
 * }</pre>
 */
public final class StreamRedactor {
    private final Automaton automaton;
    private final int holdback;
    private final boolean empty;
    /** Held-back chars in {@code buf[0, length)}. */
    private char[] buf = new char[256];
    private int length;
    private final int[][] intervals = {new int[16]};
    /** How many leading chars of {@link #buf} were already emitted, as part of a redaction. */
    private int skip;
    /** Whether what was emitted last is a redaction that ends at {@link #skip}. */
    private boolean open;

    StreamRedactor(Redactor redactor) {
        this.automaton = redactor.automaton();
        this.holdback = Math.max(0, redactor.maxLength() - 1);
        this.empty = redactor.isEmpty();
    }

    /** Takes the next chunk; returns the redacted text that can be emitted now (maybe empty). */
    public String write(CharSequence chunk) {
        if (empty) {
            return chunk.toString();
        }
        int n = chunk.length();
        ensure(n);
        if (chunk instanceof String s) {
            s.getChars(0, n, buf, length);
        } else {
            for (int i = 0; i < n; i++) {
                buf[length + i] = chunk.charAt(i);
            }
        }
        length += n;
        return drain(Math.max(0, length - holdback));
    }

    /** Takes the next chunk as chars; see {@link #write(CharSequence)}. */
    public String write(char[] chars, int offset, int count) {
        if (empty) {
            return new String(chars, offset, count);
        }
        ensure(count);
        System.arraycopy(chars, offset, buf, length, count);
        length += count;
        return drain(Math.max(0, length - holdback));
    }

    /** Ends the stream: returns the rest, redacted, and resets. */
    public String flush() {
        if (empty) {
            return "";
        }
        String out = drain(length);
        length = 0;
        skip = 0;
        open = false;
        return out;
    }

    /** How many characters are held back now (at most {@code maxLength() - 1}). */
    public int pending() {
        return length - skip;
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }

    private String drain(int limit) {
        int n = automaton.intervals(buf, 0, length, intervals);
        int pos = skip;
        boolean redacting = open;
        String result;
        if (n == 0) {
            // the common case: nothing found
            result = limit > pos ? new String(buf, pos, limit - pos) : "";
            if (limit > pos) {
                pos = limit;
                redacting = false;
            }
        } else {
            int[] iv = intervals[0];
            StringBuilder out = new StringBuilder(Math.max(16, limit - skip + 16));
            for (int k = 0; k < n; k++) {
                int s = iv[2 * k];
                int e = iv[2 * k + 1];
                if (e <= pos) {
                    continue; // inside what a redaction already covered
                }
                if (redacting && s <= pos) {
                    pos = e; // continues the redaction already emitted
                    continue;
                }
                if (s >= limit) {
                    break; // starts in the held-back tail: decided on a later chunk
                }
                out.append(buf, pos, s - pos).append(Redactor.MARK);
                pos = e;
                redacting = true;
            }
            if (limit > pos) {
                out.append(buf, pos, limit - pos);
                pos = limit;
                redacting = false;
            }
            result = out.toString();
        }
        System.arraycopy(buf, limit, buf, 0, length - limit);
        length -= limit;
        skip = pos - limit;
        open = redacting;
        return result;
    }
}
