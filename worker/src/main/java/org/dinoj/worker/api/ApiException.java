package org.dinoj.worker.api;

/** A request the API refuses: the HTTP status and one sentence for the {@code {"error": ...}} body. */
public final class ApiException extends RuntimeException {
    private final int status;
    /** Seconds for a {@code Retry-After} header; 0: none. */
    private final long retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, 0);
    }

    private ApiException(int status, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    /** 409 that will pass after {@code seconds}: said in a {@code Retry-After} header for clients that wait. */
    static ApiException conflictRetryAfter(String message, long seconds) {
        return new ApiException(409, message, seconds);
    }
}
