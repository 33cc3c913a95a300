package dev.lb.core.proxy;

import dev.lb.api.Backend;
import dev.lb.core.Exchange;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one exchange to one backend and the backend's answer back to the client, or answers the client with the
 * error status that fits the failure. The one seam between the decision logic and an HTTP engine.
 */
public interface Forwarder extends AutoCloseable {
    /**
     * Forwards the exchange.
     *
     * @param attempt which failures the caller would retry elsewhere (those are returned unanswered), and the
     *                request's deadline
     * @return what happened, for the decision logic
     * @throws IOException when the response to the client could not be completed; the host drops the connection
     */
    Outcome forward(Exchange exchange, Backend backend, Attempt attempt) throws IOException;

    /**
     * Sends a health probe: a {@code GET} of {@code uri}, its body discarded.
     *
     * @return the response status, or an exceptional completion; completes within {@code timeout}
     */
    CompletableFuture<Integer> probe(URI uri, Duration timeout);

    /** Releases the engine's connections and threads. */
    @Override
    void close();
}
