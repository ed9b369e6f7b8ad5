package dev.nightshift.kubernetes.internal;

import java.nio.charset.StandardCharsets;

/**
 * The outcome of an internal, fully buffered exec (small outputs only).
 *
 * <p>Thread-safety: immutable. Lifecycle: a value.
 */
record Raw(int exit, byte[] stdout, String stderr) {
    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    boolean ok() {
        return exit == 0;
    }
}
