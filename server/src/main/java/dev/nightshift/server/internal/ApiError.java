package dev.nightshift.server.internal;

/**
 * An answer other than success, in Cursor's error shape: {@code {"error":{"message","code"}}}
 * with an HTTP status.
 *
 * <p>Thread-safety: immutable. Lifecycle: thrown and answered once.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError notFound(String what) {
        return new ApiError(404, "not_found", what);
    }
}
