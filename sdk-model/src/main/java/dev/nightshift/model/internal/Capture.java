package dev.nightshift.model.internal;

import dev.nightshift.api.runtime.ExecListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command's stdout and stderr as one stream, in arrival order, keeping only the first and the last
 * {@code keep} bytes (a command printing gigabytes passes through in constant memory).
 *
 * <p><b>Thread-safety:</b> synchronized; one exec writes at a time.
 */
final class Capture implements ExecListener {
    private final int keep;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final byte[] tail;
    private int tailStart;
    private int tailLength;
    private long total;

    Capture(int keep) {
        this.keep = keep;
        this.tail = new byte[keep];
    }

    @Override
    public void onStdout(byte[] bytes, int offset, int length) {
        add(bytes, offset, length);
    }

    @Override
    public void onStderr(byte[] bytes, int offset, int length) {
        add(bytes, offset, length);
    }

    private synchronized void add(byte[] bytes, int offset, int length) {
        total += length;
        int toHead = Math.min(length, keep - head.size());
        if (toHead > 0) {
            head.write(bytes, offset, toHead);
            offset += toHead;
            length -= toHead;
        }
        for (int i = 0; i < length; i++) {
            int at = (tailStart + tailLength) % keep;
            tail[at] = bytes[offset + i];
            if (tailLength < keep) {
                tailLength++;
            } else {
                tailStart = (tailStart + 1) % keep;
            }
        }
    }

    synchronized long total() {
        return total;
    }

    /** The output as text: whole when it fit, else head, a truncation mark and tail; binary described. */
    synchronized String text() {
        byte[] h = head.toByteArray();
        if (Output.isBinary(h, h.length)) {
            return Output.describeBinary("output", total);
        }
        String first = new String(h, StandardCharsets.UTF_8);
        if (tailLength == 0) {
            return first;
        }
        byte[] t = new byte[tailLength];
        for (int i = 0; i < tailLength; i++) {
            t[i] = tail[(tailStart + i) % keep];
        }
        long dropped = total - h.length - tailLength;
        String last = new String(t, StandardCharsets.UTF_8);
        return dropped == 0 ? first + last
                : first + "\n[... " + Output.TRUNCATED + " " + dropped + " bytes ...]\n" + last;
    }
}
