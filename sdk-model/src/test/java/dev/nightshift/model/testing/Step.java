package dev.nightshift.model.testing;

/**
 * One scripted answer of {@link ScriptedModelServer}: computed from the request it answers.
 * {@link Reply} and {@link ErrorReply} are steps answering every request the same way; a lambda
 * can look at the request first (for example to echo the last tool result).
 *
 * <pre>{@code
 * server.enqueue(request -> Reply.text("the file says: " + request.lastToolResult().orElse("?")));
 * }</pre>
 */
@FunctionalInterface
public interface Step {
    /** The answer to {@code request}: a {@link Reply} or an {@link ErrorReply}. */
    Answer answer(RecordedRequest request);

    /** What a step answers with; implemented by {@link Reply} and {@link ErrorReply} only. */
    sealed interface Answer extends Step permits Reply, ErrorReply {
        @Override
        default Answer answer(RecordedRequest request) {
            return this;
        }
    }
}
