package dev.lb.httpserver;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import mockwebserver3.MockWebServer;

/** A load balancer served through the real adapter on an ephemeral loopback port. */
final class TestProxy implements AutoCloseable {
    private final LoadBalancer lb;
    private final HttpServerAdapter adapter;

    private TestProxy(LoadBalancer lb, HttpServerAdapter adapter) {
        this.lb = lb;
        this.adapter = adapter;
    }

    /** Proxies to one backend with the default settings. */
    static TestProxy to(String backendUrl) throws IOException {
        return start(LoadBalancer.builder().backend(backendUrl));
    }

    static TestProxy start(LoadBalancer.Builder builder) throws IOException {
        LoadBalancer lb = builder.start();
        try {
            return new TestProxy(lb, HttpServerAdapter.serve(lb, new InetSocketAddress("127.0.0.1", 0)));
        } catch (IOException | RuntimeException e) {
            lb.close();
            throw e;
        }
    }

    /** A MockWebServer listening on 127.0.0.1 (not "localhost", which may resolve elsewhere). */
    static MockWebServer startMockServer() throws IOException {
        MockWebServer server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        return server;
    }

    static String url(MockWebServer server) {
        return "http://127.0.0.1:" + server.getPort();
    }

    LoadBalancer lb() {
        return lb;
    }

    InetSocketAddress address() {
        return adapter.address();
    }

    URI uri(String target) {
        return URI.create("http://127.0.0.1:" + address().getPort() + target);
    }

    RawConnection connect() throws IOException {
        return RawConnection.open(address());
    }

    /** The Host header value a client sends to the proxy. */
    String authority() {
        return "127.0.0.1:" + address().getPort();
    }

    @Override
    public void close() {
        try {
            adapter.close(Duration.ofSeconds(2));
        } finally {
            lb.close();
        }
    }
}
