package dev.nightshift.api;

import java.util.Objects;

/**
 * One unit of work for a driver: the first prompt (turn 1) or a follow-up.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * if (turn.isFollowUp()) { ... }
 * }</pre>
 *
 * @param number 1 for the first prompt, then 2, 3, ...
 * @param prompt what to do
 */
public record Turn(int number, String prompt) {
    public Turn {
        if (number < 1) {
            throw new IllegalArgumentException("turn numbers start at 1");
        }
        Objects.requireNonNull(prompt, "prompt");
    }

    public boolean isFollowUp() {
        return number > 1;
    }
}
