package dev.nightshift.kubernetes.internal;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it, and counts them all.
 *
 * <p>Thread-safety: not thread-safe; one writer. Lifecycle: one per stream of one exec.
 */
final class TailBuffer {
    private final byte[] ring;
    private int start;
    private int size;
    private long total;

    TailBuffer(int capacity) {
        ring = new byte[capacity];
    }

    void write(byte[] b, int off, int len) {
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

    long total() {
        return total;
    }

    byte[] bytes() {
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
