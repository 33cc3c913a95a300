package dev.lb.core.proxy;

/**
 * What one forwarding attempt did.
 *
 * @param status     the status sent to the client, or, when {@link #answered()} is false, the one to send if no
 *                   other backend is tried
 * @param failure    what went wrong, {@link Failure#NONE} when the backend answered
 * @param detail     a short reason for logs; empty when nothing failed
 * @param bytes      response body bytes sent to the client
 * @param message    the text to answer with when the attempt was left unanswered for a retry, else {@code null}
 * @param retryAfter the backend's {@code Retry-After} in whole seconds on a {@code 429} or {@code 503}, else -1
 */
public record Outcome(int status, Failure failure, String detail, long bytes, String message, long retryAfter) {
    /** Where an attempt failed. */
    public enum Failure {
        /** The backend answered (the answer may still be one the caller retries, see {@link Attempt}). */
        NONE,
        /** No byte of the request reached the backend: refused, unreachable, or the connect timed out. */
        CONNECT,
        /** The backend sent no response headers in time, or went silent mid-response. */
        TIMEOUT,
        /** The backend broke the exchange: reset, closed early, or sent something that is not HTTP. */
        BACKEND,
        /** The client's request could not be forwarded as received, or the client broke the exchange. */
        BAD_REQUEST
    }

    /** The backend's answer, delivered to the client. */
    public static Outcome delivered(int status, long bytes, long retryAfter) {
        return new Outcome(status, Failure.NONE, "", bytes, null, retryAfter);
    }

    /** A failure answered to the client with {@code bytes} of explanation. */
    public static Outcome answered(int status, Failure failure, String detail, long bytes) {
        return new Outcome(status, failure, detail, bytes, null, -1);
    }

    /** A failure or a backend answer left unanswered for the caller's retry; {@code message} explains it if none. */
    public static Outcome unanswered(int status, Failure failure, String detail, String message, long retryAfter) {
        return new Outcome(status, failure, detail, 0, message, retryAfter);
    }

    /** Whether the client got an answer; if not, the caller retries or answers with {@link #message()}. */
    public boolean answered() {
        return message == null;
    }
}
