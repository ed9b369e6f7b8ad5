package dev.nightshift.secrets.internal;

/**
 * What the stream redactors ({@link StreamRedactor} over chars, {@link ByteStreamRedactor} over
 * bytes) share: the matches found and not yet emitted (merged, in the buffer's coordinates), how
 * far output has been decided, and the decision of what to emit up to a limit, so that the
 * concatenated output equals {@link Redactor#redact} of the whole input however it was cut.
 *
 * <p><b>Thread-safety:</b> not thread-safe: owned by one stream redactor.
 */
final class PendingMatches {
    /** Receives the decisions of {@link #drain}, in order. */
    interface Emitter {
        /** Emit the buffer's {@code [from, to)} as it is. */
        void plain(int from, int to);

        /** Emit {@link Redactor#MARK}. */
        void mark();
    }

    /** Matches found and not yet emitted, as pairs start, end in {@code intervals[0]}. */
    final int[][] intervals = {new int[16]};
    final int[] count = {0};
    /** How far output has been decided: emitted as is, or covered by an emitted redaction. */
    int done;
    /** Whether what was emitted last is a redaction that ends at {@link #done}. */
    private boolean open;

    /** Whether no match waits to be emitted. */
    boolean none() {
        return count[0] == 0;
    }

    /**
     * Emits {@code [done, limit)} with the matches that start before {@code limit} as marks; a
     * match that runs past {@code limit} is emitted whole, one that starts later waits.
     */
    void drain(int limit, Emitter out) {
        int n = count[0];
        int[] iv = intervals[0];
        int pos = done;
        boolean redacting = open;
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
            if (s > pos) {
                out.plain(pos, s);
            }
            out.mark();
            pos = e;
            redacting = true;
        }
        if (k > 0) {
            System.arraycopy(iv, 2 * k, iv, 0, 2 * (n - k));
            count[0] = n - k;
        }
        if (limit > pos) {
            out.plain(pos, limit);
            pos = limit;
            redacting = false;
        }
        done = pos;
        open = redacting;
    }

    /** {@link #drain} when {@link #none()}: {@code [done, limit)} is emitted as it is by the caller. */
    void advance(int limit) {
        if (limit > done) {
            done = limit;
            open = false;
        }
    }

    /** The buffer dropped its first {@code by} elements. */
    void shift(int by) {
        int[] iv = intervals[0];
        for (int i = 0, m = 2 * count[0]; i < m; i++) {
            iv[i] -= by;
        }
        done -= by;
    }

    void reset() {
        count[0] = 0;
        done = 0;
        open = false;
    }
}
