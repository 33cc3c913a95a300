package dev.lb.core.proxy;

import dev.lb.api.Backend;
import dev.lb.core.Exchange;
import dev.lb.core.SocketDeadlines;
import dev.lb.core.Threads;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The default engine: HTTP/1.1 to backends over plain blocking sockets, run on the request's own thread (a
 * virtual thread on Java 21+), with a pool of keep-alive connections per backend (see {@link BackendPool}).
 *
 * <p>It writes the request itself, so the backend receives what the client sent: the target byte for byte (an
 * empty query included), header values as the same bytes, no header the client did not send besides
 * {@code Host} (the backend's), the body's framing and {@code X-Forwarded-*}. Responses are parsed strictly
 * (see {@link ResponseHead}), de-framed and handed to the host, which frames them for the client.
 *
 * <p>A pooled connection the backend closed while it sat idle fails the request that reuses it before any
 * response byte; such a request is sent again once on a fresh connection when that cannot execute it twice (an
 * idempotent method without a body), and is otherwise reported as a backend failure.
 *
 * <p>Read timeouts are deadlines kept by a {@link SocketDeadlines} watchdog thread, {@code lb-socket-deadlines}, which
 * {@link #close()} ends once the last connection has closed. Thread-safe.
 */
public final class Http1Forwarder implements Forwarder {
    private static final long POOL_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int PROBE_THREADS = 8;
    private static final int PROBE_QUEUE = 1_000;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final long connectTimeoutNanos;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private final ConcurrentHashMap<Backend, BackendPool> pools = new ConcurrentHashMap<>();
    private final ExecutorService probes;
    private final SocketDeadlines deadlines = new SocketDeadlines("lb-socket-deadlines");
    private volatile boolean closed;

    /**
     * @param connectTimeout  how long a connection (and TLS handshake) to a backend may take
     * @param responseTimeout how long after sending the request the backend may take to send the response headers
     * @param idleTimeout     how long the backend may go silent in the middle of a response body
     */
    public Http1Forwarder(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout) {
        this.connectTimeoutNanos = nanos(Objects.requireNonNull(connectTimeout, "connectTimeout"));
        this.responseTimeoutNanos = nanos(Objects.requireNonNull(responseTimeout, "responseTimeout"));
        this.idleTimeoutNanos = nanos(Objects.requireNonNull(idleTimeout, "idleTimeout"));
        this.probes = Threads.newVirtualThreadPerTaskExecutor("lb-probe-").orElseGet(() -> Threads.newBoundedThreadPool(
                "lb-probe-", PROBE_THREADS, PROBE_QUEUE, new ThreadPoolExecutor.AbortPolicy()));
    }

    /** Nanoseconds, capped far below overflow so that {@code now + nanos} stays positive. */
    private static long nanos(Duration duration) {
        return duration.compareTo(Duration.ofDays(365)) > 0 ? TimeUnit.DAYS.toNanos(365) : duration.toNanos();
    }

    @Override
    public Outcome forward(Exchange exchange, Backend backend, Attempt attempt) throws IOException {
        BackendPool pool = pool(backend);
        ForwardedRequest request;
        try {
            request = ForwardedRequest.of(exchange, pool);
        } catch (IllegalArgumentException e) {
            long bytes = exchange.respondText(400, "bad request: " + e.getMessage(), 0);
            return Outcome.answered(400, Outcome.Failure.BAD_REQUEST, e.getMessage(), bytes);
        }
        BackendConnection pooled = pool.take();
        if (pooled != null) {
            Outcome outcome = exchange(exchange, request, pool, pooled, attempt, true);
            if (outcome != null) {
                return outcome;
            }
            // The backend closed the idle connection as we reused it, before it read the request: send it again.
        }
        BackendConnection fresh;
        try {
            long left = attempt.remainingNanos();
            fresh = pool.connect(Math.max(1, Math.min(connectTimeoutNanos, left)));
        } catch (SocketTimeoutException e) {
            return failed(exchange, attempt, Outcome.Failure.CONNECT, 504,
                    "gateway timeout: the backend did not accept the connection in time", e);
        } catch (IOException e) {
            return failed(exchange, attempt, Outcome.Failure.CONNECT, 502,
                    "bad gateway: the backend could not be reached", e);
        }
        return exchange(exchange, request, pool, fresh, attempt, false);
    }

    private BackendPool pool(Backend backend) {
        BackendPool pool = pools.get(backend);
        if (pool == null) {
            pool = pools.computeIfAbsent(backend, b -> new BackendPool(b, POOL_IDLE_NANOS, deadlines));
        }
        if (closed) {
            pool.close(); // requests still running after close() must not leave connections behind
        }
        return pool;
    }

    /**
     * One request/response exchange on a connection.
     *
     * @param reused whether the connection came from the pool
     * @return the outcome, or null when a reused connection turned out closed and the request may be sent again
     */
    private Outcome exchange(Exchange exchange, ForwardedRequest request, BackendPool pool,
                             BackendConnection connection, Attempt attempt, boolean reused) throws IOException {
        connection.startExchange(idleTimeoutNanos, attempt.deadline());
        IOException sendFailure = null;
        try {
            connection.write(request.head, 0, request.headLength);
            if (!request.hasBody()) {
                connection.flush();
            }
        } catch (IOException e) {
            sendFailure = e;
        }
        if (sendFailure == null && request.hasBody()) {
            try {
                sendFailure = sendBody(exchange.requestBody(), request, connection);
            } catch (ClientBodyException e) {
                connection.abort();
                long bytes = exchange.respondText(e.status(), e.getMessage(), 0);
                return Outcome.answered(e.status(), Outcome.Failure.BAD_REQUEST, e.getMessage(), bytes);
            } catch (IOException e) { // the client went away mid-body
                connection.abort();
                throw e;
            }
        }
        // Even when sending failed, the backend may have answered first (e.g. 413 to an upload) and closed.
        ResponseHead head;
        try {
            connection.readUntil(System.nanoTime() + Math.min(responseTimeoutNanos, attempt.remainingNanos()));
            head = readFinalHead(connection);
        } catch (SocketTimeoutException e) {
            connection.close();
            return failed(exchange, attempt, Outcome.Failure.TIMEOUT, 504,
                    "gateway timeout: the backend did not answer in time", e);
        } catch (IOException e) {
            connection.close();
            if (sendFailure instanceof SocketTimeoutException) {
                return failed(exchange, attempt, Outcome.Failure.TIMEOUT, 504,
                        "gateway timeout: the backend stopped taking the request", sendFailure);
            }
            if (reused && !connection.receivedAny() && !request.hasBody() && request.idempotent) {
                return null;
            }
            return failed(exchange, attempt, Outcome.Failure.BACKEND, 502,
                    "bad gateway: the backend failed to answer", sendFailure != null ? sendFailure : e);
        }
        boolean reusable = sendFailure == null && head.keepAlive();
        if (attempt.retryStatuses().contains(head.status())) {
            discard(connection, head, request, pool, reusable);
            return Outcome.unanswered(head.status(), Outcome.Failure.NONE, "answered " + head.status(),
                    "the backend answered " + head.status(), head.retryAfter());
        }
        return relay(exchange, request, head, pool, connection, attempt, reusable);
    }

    /**
     * Copies the client's body to the backend, flushing whenever the client has nothing more ready.
     *
     * @return the failure writing to the backend, or null when the whole body was sent
     * @throws IOException from the client's body only
     */
    private static IOException sendBody(InputStream body, ForwardedRequest request, BackendConnection connection)
            throws IOException {
        byte[] buffer = connection.scratch();
        long left = request.contentLength;
        while (request.chunked || left > 0) {
            int read = body.read(buffer, 0, request.chunked ? buffer.length : (int) Math.min(buffer.length, left));
            if (read < 0) {
                if (request.chunked) {
                    break;
                }
                throw new EOFException("the client's body ended " + left + " bytes before its Content-Length");
            }
            if (read == 0) {
                continue; // a chunk of size 0 would end the body early
            }
            boolean moreReady = body.available() > 0;
            try {
                if (request.chunked) {
                    connection.write((Integer.toHexString(read) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    connection.write(buffer, 0, read);
                    connection.write(CRLF);
                } else {
                    connection.write(buffer, 0, read);
                    left -= read;
                }
                if (!moreReady) {
                    connection.flush();
                }
            } catch (IOException e) {
                return e;
            }
        }
        try {
            if (request.chunked) {
                connection.write(LAST_CHUNK);
            }
            connection.flush();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** The final response head, after any interim (1xx) ones, which the client does not need. */
    private static ResponseHead readFinalHead(BackendConnection connection) throws IOException {
        ResponseHead head = connection.readHead();
        while (head.status() < 200) {
            if (head.status() == 101) {
                throw new BackendConnection.MalformedResponseException(
                        "101 Switching Protocols (expected: none; no upgrade is forwarded)");
            }
            head = connection.readHead();
        }
        return head;
    }

    private Outcome relay(Exchange exchange, ForwardedRequest request, ResponseHead head, BackendPool pool,
                          BackendConnection connection, Attempt attempt, boolean reusable) throws IOException {
        int status = head.status();
        boolean bodyless = request.isHead || status == 204 || status == 304;
        long length = head.chunked() ? -1 : head.contentLength();
        long bytes = 0;
        try {
            OutputStream out = exchange.respond(status, head.headers(), length);
            if (!bodyless) {
                connection.readIdleAtMost(idleTimeoutNanos, attempt.deadline());
                if (head.chunked()) {
                    bytes = connection.copyChunked(out);
                } else if (length >= 0) {
                    bytes = connection.copyFixed(length, out);
                } else {
                    bytes = connection.copyUntilClose(out);
                }
            }
            out.close();
        } catch (IOException e) { // either side broke off mid-response; the host drops the client connection
            connection.abort();
            throw e;
        }
        // A HEAD, 204 or 304 answer that announces a body may be followed by one from a careless backend, perhaps
        // only later: such a connection is not trusted with the next request.
        boolean announcedBody = head.chunked() || head.contentLength() > 0;
        if (reusable && (bodyless ? !announcedBody : head.delimited()) && connection.drained()) {
            pool.offer(connection);
        } else {
            connection.close();
        }
        return Outcome.delivered(status, bytes, head.retryAfter());
    }

    /** Drops a response the caller will retry: keeps the connection when its body is already here, else closes. */
    private static void discard(BackendConnection connection, ResponseHead head, ForwardedRequest request,
                                BackendPool pool, boolean reusable) {
        boolean bodyless = request.isHead || head.status() == 204 || head.status() == 304;
        long length = bodyless ? 0 : head.contentLength();
        if (reusable && length >= 0 && length <= connection.buffered()) {
            try {
                connection.copyFixed(length, OutputStream.nullOutputStream());
                if (connection.drained()) {
                    pool.offer(connection);
                    return;
                }
            } catch (IOException e) {
                // cannot happen with the bytes already read; closed below all the same
            }
        }
        connection.close();
    }

    /** Answers a failure, or leaves it unanswered when the caller would retry that kind. */
    private static Outcome failed(Exchange exchange, Attempt attempt, Outcome.Failure kind, int status,
                                  String message, IOException cause) throws IOException {
        String detail = String.valueOf(cause);
        if (kind == Outcome.Failure.CONNECT && attempt.retryUnsent()
                || kind == Outcome.Failure.BACKEND && attempt.retrySent()) {
            return Outcome.unanswered(status, kind, detail, message, -1);
        }
        long bytes = exchange.respondText(status, message, 0);
        return Outcome.answered(status, kind, detail, bytes);
    }

    /**
     * {@inheritDoc} On a connection of its own, closed afterwards, from a thread of its own ({@code lb-probe-N}).
     * Fails with {@link ConnectException} when refused, {@link SocketTimeoutException} when the connection is not
     * accepted in time, {@link TimeoutException} when no response headers arrive in time.
     */
    @Override
    public CompletableFuture<Integer> probe(URI uri, Duration timeout) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        long deadline = System.nanoTime() + nanos(timeout);
        try {
            probes.execute(() -> {
                try {
                    status.complete(probeNow(uri, deadline));
                } catch (IOException | TimeoutException | RuntimeException e) {
                    status.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            status.completeExceptionally(e);
        }
        return status.orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    private int probeNow(URI uri, long deadline) throws IOException, TimeoutException {
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        long left = deadline - System.nanoTime();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        try (BackendConnection connection = BackendConnection.open(uri.getHost(), port, tls,
                Math.max(1, Math.min(connectTimeoutNanos, left)), deadlines)) {
            connection.startExchange(Long.MAX_VALUE, deadline);
            connection.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getRawAuthority()
                    + "\r\nUser-Agent: lb-health-check\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            connection.flush();
            connection.readUntil(deadline);
            try {
                return readFinalHead(connection).status(); // the body is discarded with the connection
            } catch (SocketTimeoutException e) {
                TimeoutException timeout = new TimeoutException("no response headers in time");
                timeout.initCause(e);
                throw timeout;
            }
        }
    }

    /** Closes every pooled connection and stops the probe threads, waiting up to 5s for them to end. */
    @Override
    public void close() {
        closed = true;
        pools.values().forEach(BackendPool::close);
        Threads.stopNow(probes, Duration.ofSeconds(5));
        deadlines.close();
    }
}
