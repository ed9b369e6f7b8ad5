package dev.nightshift.core.secrets;

import java.util.Arrays;

/**
 * Redacts one stream of text that arrives in chunks (a command's stdout, a terminal), finding a
 * secret even when it is split across chunks. Each {@link #write} returns what is safe to emit
 * now: it holds back only the last characters that may begin a secret (the automaton's depth: none
 * after ordinary text, so output is not delayed), at most {@code maxLength() - 1}, which a later
 * chunk or {@link #flush()} releases. The concatenated output
 * equals {@link Redactor#redact} of the concatenated input, however the input was cut.
 *
 * <p>Each character is read once: the automaton's state carries over from one chunk to the next,
 * so a stream of many small chunks (a command printing a line at a time) costs no more per
 * character than one big chunk, however long the held-back tail is.
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
    /** Chars read and not yet emitted are {@code buf[done, length)}. */
    private char[] buf = new char[1024];
    private int length;
    /** How far output has been decided: emitted as is, or covered by an emitted redaction. */
    private int done;
    /** The automaton's state after {@code buf[0, length)}. */
    private int state;
    /** Matches found and not yet emitted, merged, in {@code buf}'s coordinates. */
    private final int[][] intervals = {new int[16]};
    private final int[] count = {0};
    /** Whether what was emitted last is a redaction that ends at {@link #done}. */
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
        return read(n);
    }

    /** Takes the next chunk as chars; see {@link #write(CharSequence)}. */
    public String write(char[] chars, int offset, int count) {
        if (empty) {
            return new String(chars, offset, count);
        }
        ensure(count);
        System.arraycopy(chars, offset, buf, length, count);
        return read(count);
    }

    /** Ends the stream: returns the rest, redacted, and resets. */
    public String flush() {
        if (empty) {
            return "";
        }
        String out = drain(length);
        length = 0;
        done = 0;
        state = 0;
        count[0] = 0;
        open = false;
        return out;
    }

    /** How many characters are held back now (at most {@code maxLength() - 1}). */
    public int pending() {
        return length - done;
    }

    private String read(int n) {
        state = automaton.scan(buf, length, length + n, state, intervals, count);
        length += n;
        // only what may begin a match still to come waits: the automaton's depth, at most the holdback
        return drain(Math.max(done, length - Math.min(holdback, automaton.pendingDepth(state))));
    }

    /** Room for {@code more} chars: drops what was emitted, grows when that is not enough. */
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

    /** Emits {@code buf[done, limit)} with the matches that start before {@code limit} redacted. */
    private String drain(int limit) {
        int n = count[0];
        int[] iv = intervals[0];
        int pos = done;
        boolean redacting = open;
        StringBuilder out = null;
        int k = 0;
        for (; k < n; k++) {
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
            if (out == null) {
                out = new StringBuilder(Math.max(16, limit - pos + 16));
            }
            out.append(buf, pos, s - pos).append(Redactor.MARK);
            pos = e;
            redacting = true;
        }
        if (k > 0) {
            System.arraycopy(iv, 2 * k, iv, 0, 2 * (n - k));
            count[0] = n - k;
        }
        String result;
        if (out == null) {
            // the common case: nothing found
            result = limit > pos ? new String(buf, pos, limit - pos) : "";
        } else {
            if (limit > pos) {
                out.append(buf, pos, limit - pos);
            }
            result = out.toString();
        }
        if (limit > pos) {
            pos = limit;
            redacting = false;
        }
        done = pos;
        open = redacting;
        return result;
    }
}
