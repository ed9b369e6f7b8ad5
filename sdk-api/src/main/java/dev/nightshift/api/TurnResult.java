package dev.nightshift.api;

/**
 * What a driver reports at the end of a turn; the summary becomes the commit message of work
 * left uncommitted and the agent's {@code summary}.
 *
 * <p><b>Thread-safety:</b> immutable. <b>Lifecycle:</b> a value.
 *
 * <pre>{@code
 * return TurnResult.of("Added a testing section to README.md");
 * }</pre>
 *
 * @param summary one line or a short paragraph, or {@code null}
 */
public record TurnResult(String summary) {
    public static TurnResult of(String summary) {
        return new TurnResult(summary);
    }
}
