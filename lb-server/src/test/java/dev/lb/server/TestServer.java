package dev.lb.server;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockWebServer;

/** A load balancer served by a real {@link LbServer} on an ephemeral loopback port. */
final class TestServer implements AutoCloseable {
    final LoadBalancer lb;
    final LbServer server;

    private TestServer(LoadBalancer lb, LbServer server) {
        this.lb = lb;
        this.server = server;
    }

    static TestServer to(String backendUrl) throws IOException {
        return start(LoadBalancer.builder().backend(backendUrl), ServerOptions.defaults());
    }

    static TestServer start(LoadBalancer.Builder builder, ServerOptions options) throws IOException {
        LoadBalancer lb = builder.start();
        try {
            return new TestServer(lb, LbServer.serve(lb, new InetSocketAddress("127.0.0.1", 0), options));
        } catch (IOException | RuntimeException e) {
            lb.close();
            throw e;
        }
    }

    /** A MockWebServer on 127.0.0.1 (not "localhost", which may resolve elsewhere). */
    static MockWebServer startMockServer() throws IOException {
        MockWebServer backend = new MockWebServer();
        backend.start(InetAddress.getByName("127.0.0.1"), 0);
        return backend;
    }

    static String url(MockWebServer backend) {
        return "http://127.0.0.1:" + backend.getPort();
    }

    RawClient connect() throws IOException {
        return new RawClient(server.address());
    }

    /** A GET request with the Host header a client sends to this server. */
    String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.address().getPort() + "\r\n\r\n";
    }

    /** Polls a condition that real I/O will make true, for at most 5 seconds. */
    static void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public void close() {
        try {
            server.close(Duration.ofSeconds(2));
        } finally {
            lb.close();
        }
    }
}
