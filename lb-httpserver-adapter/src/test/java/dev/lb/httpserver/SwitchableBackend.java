package dev.lb.httpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A backend on the JDK's {@link HttpServer} whose health can be switched while it runs: {@code /health} answers
 * the status set with {@link #health(int)} (200 at first), {@code /slow} waits until {@link #releaseSlow()}, every
 * other path answers {@code 200} with the backend's name. Counts what it received, probes and traffic apart, and
 * records each request body it read whole ({@link #executions}), so tests can tell how often a POST was executed.
 *
 * <p>{@link #stop()} kills it between responses, never in the middle of writing one: a backend dying mid-body is a
 * failure no proxy can hide (see {@code TruncatedResponseTest}), so load tests that expect zero failures leave it out.
 */
final class SwitchableBackend implements AutoCloseable {
    /** Room for hundreds of connections arriving at once (the JDK default is 50). */
    private static final int BACKLOG = 1024;
    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "test-switchable-backend");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger health = new AtomicInteger(200);
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger passingProbes = new AtomicInteger();
    private final AtomicInteger traffic = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> executions = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock writing = new ReentrantReadWriteLock();
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private volatile boolean stopped;

    private SwitchableBackend(String name, int port) throws IOException {
        this.name = name;
        // The JDK reads its server settings once, at the first HttpServer: give it the proxy's (TCP_NODELAY), or
        // a backend started before the proxy would leave every server of the JVM waiting on delayed ACKs.
        HttpServerAdapter.configureJdkServerDefaults();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), BACKLOG);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static SwitchableBackend start(String name) throws IOException {
        return new SwitchableBackend(name, 0);
    }

    /** Starts a backend on {@code port}, e.g. the port of one just stopped, as a restarted process would. */
    static SwitchableBackend start(String name, int port) throws IOException {
        return new SwitchableBackend(name, port);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/health")) {
            int status = health.get();
            probes.incrementAndGet();
            if (status >= 200 && status <= 399) {
                passingProbes.incrementAndGet();
            }
            answer(exchange, status, "health " + status);
            return;
        }
        traffic.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes(); // throws if the proxy gave up mid-body
        if (body.length > 0) {
            executions.merge(new String(body, StandardCharsets.UTF_8), 1, Integer::sum);
        }
        if (path.equals("/slow")) {
            slowArrived.countDown();
            try {
                releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, name + " slow done");
            return;
        }
        answer(exchange, 200, name);
    }

    private void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        writing.readLock().lock();
        try {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            writing.readLock().unlock();
        }
    }

    String name() {
        return name;
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** How many times each request body was received whole, by body text. */
    Map<String, Integer> executions() {
        return Map.copyOf(executions);
    }

    /** From now on {@code /health} answers {@code status}. */
    void health(int status) {
        health.set(status);
    }

    /** Health probes received so far. */
    int probes() {
        return probes.get();
    }

    /** Health probes answered with a status in 200-399 so far. */
    int passingProbes() {
        return passingProbes.get();
    }

    /** Requests other than health probes received so far. */
    int traffic() {
        return traffic.get();
    }

    /** Waits up to 10s for a {@code /slow} request to arrive; false if none did. */
    boolean awaitSlow() throws InterruptedException {
        return slowArrived.await(10, TimeUnit.SECONDS);
    }

    void releaseSlow() {
        releaseSlow.countDown();
    }

    /** Kills the backend: the port is closed and every connection to it dropped. Idempotent. */
    void stop() {
        if (!stopped) {
            stopped = true;
            releaseSlow.countDown();
            writing.writeLock().lock();
            try {
                server.stop(0);
            } finally {
                writing.writeLock().unlock();
            }
            threads.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
