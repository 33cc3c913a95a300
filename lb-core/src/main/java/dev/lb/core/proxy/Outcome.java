package dev.lb.core.proxy;

/**
 * What one forwarding attempt did.
 *
 * @param status  the status sent to the client, or, when {@link #answered()} is false, the one to send if no
 *                other backend is tried
 * @param failure what went wrong, {@link Failure#NONE} when the backend answered and the answer was delivered
 * @param detail  a short reason for logs; empty when nothing failed
 * @param bytes   response body bytes sent to the client
 * @param message the text to answer with when the attempt was left unanswered for a retry, else {@code null}
 */
public record Outcome(int status, Failure failure, String detail, long bytes, String message) {
    /** Where an attempt failed. */
    public enum Failure {
        /** The backend answered and the client got the whole answer. */
        NONE,
        /** No connection to the backend: refused, unreachable, or the connect timed out. */
        CONNECT,
        /** The backend sent no response headers within the response timeout. */
        TIMEOUT,
        /** The backend broke the exchange: reset, closed early, or sent something that is not HTTP. */
        BACKEND,
        /** The client's request could not be forwarded as received. */
        BAD_REQUEST
    }

    static Outcome delivered(int status, long bytes) {
        return new Outcome(status, Failure.NONE, "", bytes, null);
    }

    /** Whether the client got an answer; if not, the request reached no backend and may go to another. */
    public boolean answered() {
        return message == null;
    }
}
