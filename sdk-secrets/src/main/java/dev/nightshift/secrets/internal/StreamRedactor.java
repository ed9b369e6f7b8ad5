package dev.nightshift.secrets.internal;

import dev.nightshift.secrets.Redactor;
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
 * <b>Lifecycle:</b> {@link Redactor#stream()} creates it (this is its form behind {@link Redactor.Stream}); call {@link #flush()} when the stream
 * ends (it may then be reused for a new stream).
 *
 * <pre>{@code
 * StreamRedactor out = redactor.stream();
 * for (String chunk : chunks) emit(out.write(chunk));
 * emit(out.flush());
 * }</pre>
 */
final class StreamRedactor implements Redactor.Stream {
    private final Automaton automaton;
    private final int holdback;
    private final boolean empty;
    /** Chars read and not yet emitted are {@code buf[pending.done, length)}. */
    private char[] buf = new char[1024];
    private int length;
    /** The automaton's state after {@code buf[0, length)}. */
    private int state;
    private final PendingMatches pending = new PendingMatches();
    private final StringBuilder out = new StringBuilder();
    private final PendingMatches.Emitter emitter = new PendingMatches.Emitter() {
        @Override
        public void plain(int from, int to) {
            out.append(buf, from, to - from);
        }

        @Override
        public void mark() {
            out.append(Redactor.MARK);
        }
    };

    StreamRedactor(Patterns patterns) {
        this.automaton = patterns.automaton();
        this.holdback = Math.max(0, patterns.maxLength() - 1);
        this.empty = patterns.isEmpty();
    }

    @Override
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

    @Override
    public String write(char[] chars, int offset, int count) {
        if (empty) {
            return new String(chars, offset, count);
        }
        ensure(count);
        System.arraycopy(chars, offset, buf, length, count);
        return read(count);
    }

    @Override
    public String flush() {
        if (empty) {
            return "";
        }
        String rest = drain(length);
        length = 0;
        state = 0;
        pending.reset();
        return rest;
    }

    @Override
    public int pending() {
        return length - pending.done;
    }

    private String read(int n) {
        state = automaton.scan(buf, length, length + n, state, pending.intervals, pending.count);
        length += n;
        // only what may begin a match still to come waits: the automaton's depth, at most the holdback
        return drain(Math.max(pending.done, length - Math.min(holdback, automaton.pendingDepth(state))));
    }

    private String drain(int limit) {
        int from = pending.done;
        if (pending.none()) {
            // the common case: nothing found
            String plain = limit > from ? new String(buf, from, limit - from) : "";
            pending.advance(limit);
            return plain;
        }
        out.setLength(0);
        pending.drain(limit, emitter);
        return out.toString();
    }

    /** Room for {@code more} chars: drops what was emitted, grows when that is not enough. */
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
}
