package dev.nightshift.machine;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it, and counts them all.
 *
 * <p>Thread-safety: not thread-safe; one writer. Lifecycle: one per stream of one exec.
 *
 * <pre>{@code
 * TailBuffer tail = new TailBuffer(request.tailBytes());
 * tail.write(chunk, 0, n);          // on the stream's one thread
 * String last = tail.toString();    // the last bytes as text, total() counts every byte
 * }</pre>
 */
public final class TailBuffer {
    private final byte[] ring;
    private int start;
    private int size;
    private long total;

    /** Keeps at most {@code capacity} bytes (0: counts only). */
    public TailBuffer(int capacity) {
        ring = new byte[capacity];
    }

    /** Appends {@code b[off, off + len)}, dropping the oldest bytes beyond the capacity. */
    public void write(byte[] b, int off, int len) {
        total += len;
        int cap = ring.length;
        if (cap == 0) {
            return;
        }
        if (len >= cap) {
            System.arraycopy(b, off + len - cap, ring, 0, cap);
            start = 0;
            size = cap;
            return;
        }
        for (int i = 0; i < len; i++) {
            int pos = (start + size) % cap;
            ring[pos] = b[off + i];
            if (size < cap) {
                size++;
            } else {
                start = (start + 1) % cap;
            }
        }
    }

    /** Every byte ever written, kept or not. */
    public long total() {
        return total;
    }

    /** A copy of the kept bytes, oldest first. */
    public byte[] bytes() {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }

    /** The kept bytes as UTF-8, a partial first character dropped. */
    @Override
    public String toString() {
        byte[] b = bytes();
        int skip = 0;
        if (total > size) {
            while (skip < b.length && skip < 3 && (b[skip] & 0xC0) == 0x80) {
                skip++;
            }
        }
        return new String(b, skip, b.length - skip, StandardCharsets.UTF_8);
    }
}
