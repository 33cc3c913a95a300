package dev.lb.core.proxy;

import java.io.IOException;

/**
 * Thrown by a request body stream when the client's body breaks a limit: too large ({@code 413}) or too slow
 * ({@code 408}). A forwarder that meets it before answering aborts the backend request and answers the client with
 * {@link #status()} and the message; any other {@link IOException} from the body means the client is gone.
 */
public final class ClientBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ClientBodyException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The status to answer the client with. */
    public int status() {
        return status;
    }
}
