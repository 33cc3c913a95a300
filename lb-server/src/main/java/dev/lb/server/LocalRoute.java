package dev.lb.server;

import dev.lb.core.Exchange;
import java.io.IOException;

/**
 * Answers requests for one exact path on the server itself instead of proxying them, e.g. {@code /metrics}. Runs
 * on the connection's thread; answers through {@link Exchange#respond} or {@link Exchange#respondText}.
 */
@FunctionalInterface
public interface LocalRoute {
    /**
     * Answers the request.
     *
     * @throws IOException when the response could not be completed; the connection is closed
     */
    void handle(Exchange exchange) throws IOException;
}
