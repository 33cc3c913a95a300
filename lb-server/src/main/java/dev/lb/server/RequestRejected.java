package dev.lb.server;

import java.io.IOException;

/**
 * A request the server refuses to read on: malformed or ambiguous framing, a limit exceeded, too slow. The
 * connection answers {@link #status()} with the message as a one-line body (when no response has started) and
 * closes. Thrown from the request body stream too, where the core sees it as a failed client.
 */
final class RequestRejected extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    RequestRejected(int status, String message) {
        super(message);
        this.status = status;
    }

    /** Rejections are per request and say everything in their message: no stack trace to fill. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    int status() {
        return status;
    }
}
