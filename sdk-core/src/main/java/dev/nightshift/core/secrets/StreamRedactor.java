package dev.nightshift.core.secrets;

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
    private final StringBuilder buf = new StringBuilder();
    private int[][] intervals = {new int[16]};
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
        buf.append(chunk);
        return drain(Math.max(0, buf.length() - holdback));
    }

    /** Takes the next chunk as chars; see {@link #write(CharSequence)}. */
    public String write(char[] chars, int offset, int length) {
        if (empty) {
            return new String(chars, offset, length);
        }
        buf.append(chars, offset, length);
        return drain(Math.max(0, buf.length() - holdback));
    }

    /** Ends the stream: returns the rest, redacted, and resets. */
    public String flush() {
        if (empty) {
            return "";
        }
        String out = drain(buf.length());
        buf.setLength(0);
        skip = 0;
        open = false;
        return out;
    }

    /** How many characters are held back now (at most {@code maxLength() - 1}). */
    public int pending() {
        return buf.length() - skip;
    }

    private String drain(int limit) {
        int n = automaton.intervals(buf, buf.length(), intervals);
        int[] iv = intervals[0];
        StringBuilder out = new StringBuilder(Math.max(16, limit - skip + 16));
        int pos = skip;
        boolean redacting = open;
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
            out.append(buf, pos, s).append(Redactor.MARK);
            pos = e;
            redacting = true;
        }
        if (limit > pos) {
            out.append(buf, pos, limit);
            pos = limit;
            redacting = false;
        }
        buf.delete(0, limit);
        skip = pos - limit;
        open = redacting;
        return out.toString();
    }
}
