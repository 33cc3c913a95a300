package dev.lb.core.proxy;

import dev.lb.api.Backend;
import dev.lb.core.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The default engine: {@link HttpClient} over HTTP/1.1 to backends, bodies streamed in both directions.
 *
 * <p>The client runs its callbacks on its own selector thread ({@code executor(Runnable::run)}) rather than
 * hopping to a pool, which is several times faster; that is safe because nothing on that path blocks: request
 * bodies are read by {@link RequestBodyPublisher#pump} on the request's thread, and response bodies are read by
 * the same thread through {@code BodyHandlers.ofInputStream()}.
 */
public final class JdkForwarder implements Forwarder {
    private static final int COPY_BUFFER = 16 * 1024;
    // Set by the HttpClient from the URI, or framing it computes itself; it refuses them from callers.
    private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length", "expect");
    private static final Set<String> SET_BY_US = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");

    private final HttpClient client;
    private final Duration responseTimeout;

    public JdkForwarder(Duration connectTimeout, Duration responseTimeout) {
        this.responseTimeout = responseTimeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(connectTimeout)
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Outcome forward(Exchange exchange, Backend backend, Attempt attempt) throws IOException {
        RequestBodyPublisher body;
        HttpRequest request;
        try {
            long length = requestBodyLength(exchange.requestHeaders());
            body = length == 0 ? null : new RequestBodyPublisher(exchange.requestBody(), length);
            request = request(exchange, backend, body, attempt);
        } catch (IllegalArgumentException e) {
            long bytes = exchange.respondText(400, "bad request: " + e.getMessage(), 0);
            return Outcome.answered(400, Outcome.Failure.BAD_REQUEST, e.getMessage(), bytes);
        }
        CompletableFuture<HttpResponse<InputStream>> pending =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        if (body != null) {
            try {
                body.pump(pending);
            } catch (ClientBodyException e) {
                pending.cancel(true);
                long bytes = exchange.respondText(e.status(), e.getMessage(), 0);
                return Outcome.answered(e.status(), Outcome.Failure.BAD_REQUEST, e.getMessage(), bytes);
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = pending.get();
        } catch (ExecutionException | CompletionException e) {
            return answerFailure(exchange, e.getCause() != null ? e.getCause() : e, attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(true);
            throw new IOException("interrupted while waiting for " + backend, e);
        }
        long retryAfter = retryAfter(response);
        if (attempt.retryStatuses().contains(response.statusCode())) {
            response.body().close();
            return Outcome.unanswered(response.statusCode(), Outcome.Failure.NONE,
                    "answered " + response.statusCode(), "the backend answered " + response.statusCode(),
                    retryAfter);
        }
        return relay(exchange, response, retryAfter);
    }

    /** A 429 or 503's {@code Retry-After} in seconds, or -1 when absent, unparseable or a date. */
    private static long retryAfter(HttpResponse<?> response) {
        if (response.statusCode() != 429 && response.statusCode() != 503) {
            return -1;
        }
        try {
            return response.headers().firstValue("retry-after").map(String::strip).map(Long::parseLong)
                    .filter(seconds -> seconds >= 0).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The request body's length: its Content-Length, -1 when chunked, 0 when the request has no body. */
    private static long requestBodyLength(Map<String, List<String>> headers) {
        String contentLength = null;
        boolean chunked = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("content-length") && !header.getValue().isEmpty()) {
                contentLength = header.getValue().get(0).strip();
            }
        }
        if (contentLength == null) {
            return chunked ? -1 : 0;
        }
        if (chunked) {
            // Two framings for one body is how requests are smuggled past proxies (RFC 9112 section 6.3).
            throw new IllegalArgumentException("Content-Length together with Transfer-Encoding (expected: one)");
        }
        try {
            long length = Long.parseLong(contentLength);
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("Content-Length: " + contentLength + " (expected: a non-negative integer)");
    }

    private HttpRequest request(Exchange exchange, Backend backend, RequestBodyPublisher body, Attempt attempt) {
        String target = exchange.target();
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("request target " + target + " (expected: a path starting with /)");
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(backend.uri() + target))
                .timeout(timeout(attempt));
        String method = exchange.method();
        // method(m, noBody()) adds "Content-Length: 0" the client never sent; GET() and DELETE() add nothing.
        if (body == null && method.equals("GET")) {
            builder.GET();
        } else if (body == null && method.equals("DELETE")) {
            builder.DELETE();
        } else {
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        }
        Map<String, List<String>> headers = exchange.requestHeaders();
        HopByHop hopByHop = HopByHop.of(headers);
        List<String> forwardedFor = new ArrayList<>();
        String host = null;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("x-forwarded-for")) {
                forwardedFor.addAll(header.getValue());
            } else if (lower.equals("host") && !header.getValue().isEmpty()) {
                host = header.getValue().get(0);
            }
            if (hopByHop.drops(lower) || SET_BY_CLIENT.contains(lower) || SET_BY_US.contains(lower)) {
                continue;
            }
            for (String value : header.getValue()) {
                builder.header(name, asciiOnly(name, value));
            }
        }
        forwardedFor.add(exchange.remoteAddress().getAddress().getHostAddress());
        builder.header("X-Forwarded-For", String.join(", ", forwardedFor));
        builder.header("X-Forwarded-Proto", exchange.secure() ? "https" : "http");
        if (host != null) {
            builder.header("X-Forwarded-Host", host);
        }
        return builder.build();
    }

    /** The response timeout, or less when the request's deadline comes first. */
    private Duration timeout(Attempt attempt) {
        long remaining = attempt.remainingNanos();
        return remaining < responseTimeout.toNanos() ? Duration.ofNanos(Math.max(1, remaining)) : responseTimeout;
    }

    /** The JDK client writes header values as US-ASCII, so any other byte would reach the backend as '?'. */
    private static String asciiOnly(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7e) {
                throw new IllegalArgumentException("header " + name + " has a byte outside ASCII at position " + i
                        + " (expected: ASCII; this engine cannot forward other bytes unchanged)");
            }
        }
        return value;
    }

    /** Answers a failed attempt, or leaves it unanswered when the caller would retry that kind of failure. */
    private static Outcome answerFailure(Exchange exchange, Throwable failure, Attempt attempt)
            throws IOException {
        int status;
        Outcome.Failure kind;
        String message;
        if (failure instanceof HttpConnectTimeoutException) {
            status = 504;
            kind = Outcome.Failure.CONNECT;
            message = "gateway timeout: the backend did not accept the connection in time";
        } else if (failure instanceof HttpTimeoutException) {
            status = 504;
            kind = Outcome.Failure.TIMEOUT;
            message = "gateway timeout: the backend did not answer in time";
        } else if (failure instanceof ConnectException) {
            status = 502;
            kind = Outcome.Failure.CONNECT;
            message = "bad gateway: the backend could not be reached";
        } else {
            status = 502;
            kind = Outcome.Failure.BACKEND;
            message = "bad gateway: the backend failed to answer";
        }
        if (kind == Outcome.Failure.CONNECT && attempt.retryUnsent()
                || kind == Outcome.Failure.BACKEND && attempt.retrySent()) {
            return Outcome.unanswered(status, kind, String.valueOf(failure), message, -1);
        }
        long bytes = exchange.respondText(status, message, 0);
        return Outcome.answered(status, kind, String.valueOf(failure), bytes);
    }

    private static Outcome relay(Exchange exchange, HttpResponse<InputStream> response, long retryAfter)
            throws IOException {
        int status = response.statusCode();
        HttpHeaders headers = response.headers();
        long length = headers.firstValueAsLong("content-length").orElse(-1);
        boolean hasBody = !exchange.method().equals("HEAD") && status >= 200 && status != 204 && status != 304;
        long bytes = 0;
        try (InputStream in = response.body()) {
            OutputStream out = exchange.respond(status, responseHeaders(headers.map()), length);
            if (hasBody) {
                bytes = copy(in, out);
            }
            out.close();
        }
        return Outcome.delivered(status, bytes, retryAfter);
    }

    private static Map<String, List<String>> responseHeaders(Map<String, List<String>> received) {
        HopByHop hopByHop = HopByHop.of(received);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : received.entrySet()) {
            String lower = header.getKey().toLowerCase(Locale.ROOT);
            if (!hopByHop.drops(lower) && !lower.equals("content-length")) {
                headers.put(header.getKey(), header.getValue());
            }
        }
        return headers;
    }

    /** Copies until the end and returns the byte count, flushing whenever the backend has nothing more ready so streams stay live. */
    private static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        long total = 0;
        int read;
        while ((read = in.read(buffer)) >= 0) {
            out.write(buffer, 0, read);
            total += read;
            if (in.available() == 0) {
                out.flush();
            }
        }
        return total;
    }

    @Override
    public CompletableFuture<Integer> probe(URI uri, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", "lb-health-check")
                .GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        // HttpClient can be shut down only from Java 21; on 17 its selector thread ends once it is unreachable.
        try {
            Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
            shutdownNow.invoke(client);
        } catch (NoSuchMethodException e) {
            // Java 17-20: nothing to call.
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not shut down the HttpClient", e);
        }
    }
}
