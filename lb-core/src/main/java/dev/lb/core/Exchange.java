package dev.lb.core;

import dev.lb.api.RequestInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request/response exchange as a host server hands it to {@link LoadBalancer#handle(Exchange)}. Host
 * adapters implement it; it is the only thing the core knows of the host.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #requestHeaders()} holds the request's end-to-end and hop-by-hop headers as received; the core
 *       compares names case-insensitively and never mutates the map.</li>
 *   <li>{@link #requestBody()} yields the request body already de-framed (chunked decoded), and end-of-stream
 *       at its end; a connection lost mid-body is an {@link IOException}, never a silent end.</li>
 *   <li>{@link #respond} is called at most once per exchange.</li>
 *   <li>When {@code handle} throws an {@link IOException} the response is incomplete: the host must close the
 *       connection without finishing the response, so the client sees a failure rather than a truncated body
 *       that looks whole.</li>
 * </ul>
 */
public interface Exchange extends RequestInfo {
    /** The request headers as received. */
    Map<String, List<String>> requestHeaders();

    /** The request body, de-framed; empty when the request has none. */
    InputStream requestBody();

    /** Whether the client connection is TLS; sets {@code X-Forwarded-Proto}. */
    boolean secure();

    /**
     * Sends the status line and headers and returns the stream for the body, which the core closes to complete
     * the response.
     *
     * @param status     the status code
     * @param headers    end-to-end headers only: never {@code Content-Length}, {@code Transfer-Encoding} or other
     *                   hop-by-hop headers; the host frames the body
     * @param bodyLength the exact body length, or {@code -1} when unknown (the host streams it, e.g. chunked).
     *                   For a {@code HEAD} request or a {@code 304} the core writes no body and this is the
     *                   length to announce as {@code Content-Length} ({@code -1}: none); for {@code 1xx} and
     *                   {@code 204} the core writes no body and this is ignored
     */
    OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) throws IOException;

    /** Every line of the header from {@link #requestHeaders()}, names compared case-insensitively. */
    @Override
    default List<String> headers(String name) {
        List<String> values = new ArrayList<>(2);
        requestHeaders().forEach((key, lines) -> {
            if (key.equalsIgnoreCase(name)) {
                values.addAll(lines);
            }
        });
        return values;
    }

    /**
     * Answers on the load balancer's own behalf with a one-line plain-text body (never a stack trace), as for a
     * {@code 503} when no backend is available.
     *
     * @param retryAfterSeconds sent as {@code Retry-After} when positive
     * @return the body bytes sent
     */
    default long respondText(int status, String message, long retryAfterSeconds) throws IOException {
        return respondText(status, message, retryAfterSeconds, Map.of());
    }

    /**
     * Like {@link #respondText(int, String, long)}, with more headers, e.g. {@code RateLimit} on a {@code 429}.
     *
     * @param extraHeaders end-to-end headers to add, one value each
     * @return the body bytes sent
     */
    default long respondText(int status, String message, long retryAfterSeconds, Map<String, String> extraHeaders)
            throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("Content-Type", List.of("text/plain; charset=utf-8"));
        if (retryAfterSeconds > 0) {
            headers.put("Retry-After", List.of(Long.toString(retryAfterSeconds)));
        }
        extraHeaders.forEach((name, value) -> headers.put(name, List.of(value)));
        boolean bodyAllowed = !method().equals("HEAD");
        try (OutputStream out = respond(status, headers, body.length)) {
            if (bodyAllowed) {
                out.write(body);
            }
        }
        return bodyAllowed ? body.length : 0;
    }
}
