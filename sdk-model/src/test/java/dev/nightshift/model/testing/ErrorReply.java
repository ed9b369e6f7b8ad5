package dev.nightshift.model.testing;

import java.time.Duration;
import java.util.Objects;

/**
 * A scripted error answer, sent with the body shape of the request's wire format:
 * OpenAI {@code {"error":{"message","type","param","code"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message"}}}.
 *
 * <pre>{@code
 * ErrorReply.rateLimited(Duration.ofSeconds(2));   // 429 with Retry-After: 2
 * ErrorReply.unauthorized();                        // 401
 * ErrorReply.serverError();                         // 500
 * ErrorReply.contextLengthExceeded();               // 400, each provider's wording
 * }</pre>
 *
 * @param kind what went wrong, choosing the status and the body
 * @param status the HTTP status
 * @param retryAfter the {@code Retry-After} header, or {@code null} for none
 */
public record ErrorReply(Kind kind, int status, Duration retryAfter) implements Step.Answer {

    /** The errors the server can send. */
    public enum Kind {
        RATE_LIMITED, UNAUTHORIZED, PERMISSION_DENIED, SERVER_ERROR, OVERLOADED, CONTEXT_LENGTH_EXCEEDED, BAD_REQUEST
    }

    public ErrorReply {
        Objects.requireNonNull(kind, "kind");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx");
        }
    }

    /** 429 with {@code Retry-After} in whole seconds (rounded up), or without it when {@code null}. */
    public static ErrorReply rateLimited(Duration retryAfter) {
        return new ErrorReply(Kind.RATE_LIMITED, 429, retryAfter);
    }

    /** 401: the key was refused. OpenAI's body echoes the key masked, as OpenAI does. */
    public static ErrorReply unauthorized() {
        return new ErrorReply(Kind.UNAUTHORIZED, 401, null);
    }

    /** 403: the key may not use this model. */
    public static ErrorReply permissionDenied() {
        return new ErrorReply(Kind.PERMISSION_DENIED, 403, null);
    }

    /** 500. */
    public static ErrorReply serverError() {
        return new ErrorReply(Kind.SERVER_ERROR, 500, null);
    }

    /** Overloaded: Anthropic's 529, OpenAI's 503. */
    public static ErrorReply overloaded(WireFormat format) {
        return new ErrorReply(Kind.OVERLOADED, format == WireFormat.ANTHROPIC ? 529 : 503, null);
    }

    /** 400: the prompt is longer than the model's context window. */
    public static ErrorReply contextLengthExceeded() {
        return new ErrorReply(Kind.CONTEXT_LENGTH_EXCEEDED, 400, null);
    }

    /** 400: some other invalid request. */
    public static ErrorReply badRequest() {
        return new ErrorReply(Kind.BAD_REQUEST, 400, null);
    }
}
