package dev.lb.httpserver;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.lb.core.LoadBalancer;
import dev.lb.core.Threads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LoadBalancer} on the JDK's {@link HttpServer}: either one this adapter owns
 * ({@link #serve}) or one the application already runs ({@link #mount}). Knows nothing of strategies, health or
 * limits; it only turns {@link HttpExchange}s into the core's exchanges.
 *
 * <pre>{@code
 * try (HttpServerAdapter server = HttpServerAdapter.serve(lb, new InetSocketAddress(3332))) {
 *     ...
 * } // drains in-flight requests for up to 10s, then stops
 * }</pre>
 *
 * <p>Threads: by default a virtual thread per request on Java 21+; on 17-20 a pool of
 * {@value #POOL_THREADS} threads with a queue of {@value #POOL_QUEUE}, beyond which requests
 * are answered {@code 503} at once. Threads are named {@code lb-http-N} and end on {@link #close(Duration)}.
 *
 * <p>The JDK's server is tuned only through system properties that it reads once, when the first
 * {@code HttpServer} of the JVM is created; see {@link #configureJdkServerDefaults()}, which {@code serve} calls.
 *
 * <p>Closing the adapter does not close the load balancer. Thread-safe.
 */
public final class HttpServerAdapter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServerAdapter.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final int BACKLOG = 1024;
    static final int POOL_THREADS = 200;
    static final int POOL_QUEUE = 1_000;
    private static final int MAX_IDLE_CONNECTIONS = 10_000;
    private static final int MAX_REQUEST_SECONDS = 60;
    private static final int MAX_REQUEST_HEADER_BYTES = 64 * 1024;
    private static final ThreadLocal<Boolean> OVERFLOW = new ThreadLocal<>();

    private final HttpServer server;
    private final Handler handler;
    private final ExecutorService ownedExecutor;
    private final ReentrantLock closing = new ReentrantLock();
    private boolean closed;

    private HttpServerAdapter(HttpServer server, Handler handler, ExecutorService ownedExecutor) {
        this.server = server;
        this.handler = handler;
        this.ownedExecutor = ownedExecutor;
    }

    /**
     * Starts an {@link HttpServer} on {@code address} that proxies every path through {@code lb}, with the default
     * executor (see the class description).
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpServerAdapter serve(LoadBalancer lb, InetSocketAddress address) throws IOException {
        // Overflow of the bounded pool (Java 17-20) runs on the accepting thread only to answer 503 at once.
        RejectedExecutionHandler overflow = (task, pool) -> {
            OVERFLOW.set(Boolean.TRUE);
            try {
                task.run();
            } finally {
                OVERFLOW.remove();
            }
        };
        ExecutorService executor = Threads.newVirtualThreadPerTaskExecutor("lb-http-")
                .orElseGet(() -> Threads.newBoundedThreadPool("lb-http-", POOL_THREADS, POOL_QUEUE, overflow));
        try {
            return start(lb, address, executor, executor);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /**
     * Starts an {@link HttpServer} on {@code address} that proxies every path through {@code lb}, running requests
     * on {@code executor}, which the caller owns and shuts down.
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpServerAdapter serve(LoadBalancer lb, InetSocketAddress address, Executor executor)
            throws IOException {
        return start(lb, address, Objects.requireNonNull(executor, "executor"), null);
    }

    /**
     * Sets the JDK server's defaults that suit a proxy, each only where the application has not set it:
     * {@code sun.net.httpserver.nodelay=true} (without {@code TCP_NODELAY}, small responses wait on delayed ACKs)
     * and {@code sun.net.httpserver.maxIdleConnections=}{@value #MAX_IDLE_CONNECTIONS} (the JDK default of 200
     * closes the keep-alive connections of every client beyond the 200th after each response);
     * {@code sun.net.httpserver.maxReqTime=}{@value #MAX_REQUEST_SECONDS} (seconds a client may take to send a
     * whole request, headers and body, else its connection is closed: the JDK default is forever, so slow clients
     * could hold connections and threads indefinitely; raise it for long uploads) and
     * {@code sun.net.httpserver.maxReqHeaderSize=}{@value #MAX_REQUEST_HEADER_BYTES} (larger request headers close
     * the connection; the JDK default is 380 KiB). The JDK reads them
     * once, when the JVM's first {@code HttpServer} is created: call this before creating any other
     * {@code HttpServer}; {@link #serve} calls it too.
     */
    public static void configureJdkServerDefaults() {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_IDLE_CONNECTIONS));
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_REQUEST_HEADER_BYTES));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private static HttpServerAdapter start(LoadBalancer lb, InetSocketAddress address, Executor executor,
                                           ExecutorService owned) throws IOException {
        Objects.requireNonNull(lb, "lb");
        Objects.requireNonNull(address, "address");
        configureJdkServerDefaults();
        HttpServer server = HttpServer.create(address, BACKLOG);
        Handler handler = new Handler(lb, "/");
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        log.atInfo().setMessage("listening").addKeyValue("address", server.getAddress()).log();
        return new HttpServerAdapter(server, handler, owned);
    }

    /**
     * Mounts {@code lb} on an application's own server at {@code contextPath}. The context path is removed before
     * forwarding: mounted at {@code /api}, a request for {@code /api/users} goes to the backend as
     * {@code /users} (after the backend URL's own base path, if any); {@code /apix}, which HttpServer also routes
     * to that context, is answered {@code 404}. The application owns the server, its executor and its shutdown.
     *
     * @return the context, e.g. to add filters or remove it later
     */
    public static HttpContext mount(HttpServer server, String contextPath, LoadBalancer lb) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(lb, "lb");
        if (contextPath == null || !contextPath.startsWith("/")) {
            throw new IllegalArgumentException("contextPath: " + contextPath + " (expected: a path starting with /)");
        }
        return server.createContext(contextPath, new Handler(lb, contextPath));
    }

    /**
     * Serves {@code path} with the application's own handler on this adapter's server, e.g. {@code /metrics}.
     * HttpServer picks the longest matching context, so such a path is never proxied (nor rate limited); its
     * requests run on the adapter's executor but are not counted by the drain in {@link #close(Duration)}.
     */
    public HttpContext createContext(String path, HttpHandler handler) {
        return server.createContext(path, handler);
    }

    /** The bound address; with port 0 at {@code serve}, this tells the port chosen. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@link #close(Duration)} with a grace period of 10 seconds. */
    @Override
    public void close() {
        close(DEFAULT_GRACE);
    }

    /**
     * Stops gracefully: from now on new requests are answered {@code 503} with {@code Connection: close}, requests
     * in flight may finish for up to {@code grace}, then the server closes every connection and its threads
     * end. Idempotent; returns when the server has stopped.
     */
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        closing.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            int left = handler.drain(grace);
            server.stop(0);
            if (ownedExecutor != null && !Threads.stopNow(ownedExecutor, Duration.ofSeconds(5))) {
                log.atWarn().setMessage("request threads did not stop within 5s after interruption").log();
            }
            log.atInfo().setMessage(left == 0 ? "drained and stopped" : "stopped with requests still in flight")
                    .addKeyValue("address", server.getAddress()).addKeyValue("cut_requests", left).log();
        } finally {
            closing.unlock();
        }
    }

    /** Hands exchanges to the load balancer and counts them, so a close can wait for them. */
    private static final class Handler implements HttpHandler {
        private final LoadBalancer lb;
        private final String contextPath;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition idle = lock.newCondition();
        private volatile boolean draining;

        Handler(LoadBalancer lb, String contextPath) {
            this.lb = lb;
            this.contextPath = contextPath;
        }

        @Override
        public void handle(HttpExchange httpExchange) throws IOException {
            inFlight.incrementAndGet();
            try {
                boolean refuse = draining || OVERFLOW.get() != null;
                HttpServerExchange exchange = new HttpServerExchange(httpExchange, contextPath, refuse);
                if (draining) {
                    exchange.respondText(503, "shutting down", 1);
                } else if (refuse) {
                    exchange.respondText(503, "overloaded", 1);
                } else if (!exchange.belowMountPoint()) {
                    exchange.respondText(404, "not found", 0);
                } else {
                    lb.handle(exchange);
                }
                // Only a completed exchange is closed: on an exception HttpServer drops the connection, so an
                // unfinished response is never made to look complete.
                httpExchange.close();
            } finally {
                if (inFlight.decrementAndGet() == 0 && draining) {
                    signalIdle();
                }
            }
        }

        private void signalIdle() {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Refuses new requests and waits up to {@code grace} for in-flight ones; returns how many remain. */
        int drain(Duration grace) {
            draining = true;
            long remaining = grace.toNanos();
            lock.lock();
            try {
                while (inFlight.get() > 0 && remaining > 0) {
                    remaining = idle.awaitNanos(remaining);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
            return inFlight.get();
        }
    }
}
