package dev.lb.httpserver;

import dev.lb.api.BackendState;
import dev.lb.api.spi.Strategy;
import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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

    /** The URL of a loopback port nothing listens on: connections to it are refused. */
    static String closedPortUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
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

    /** Sends one request on a fresh connection (with a Content-Length body when {@code body} is not null). */
    RawConnection.RawResponse send(String method, String target, byte[] body) throws IOException {
        try (RawConnection client = connect()) {
            client.send(method + " " + target + " HTTP/1.1\r\nHost: " + authority() + "\r\n"
                    + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n");
            if (body != null) {
                client.send(body);
            }
            return client.read(method);
        }
    }

    /** {@link #send} of a GET. */
    RawConnection.RawResponse get(String target) throws IOException {
        return send("GET", target, null);
    }

    /** Tries the backends in the order configured: the first eligible one, and on a retry the next. */
    static Strategy inConfiguredOrder() {
        return (candidates, request) -> candidates.get(0).acquire();
    }

    /** Every backend's in-flight count, in configuration order. */
    List<Integer> backendsInFlight() {
        return lb.backendStates().stream().map(BackendState::inFlight).toList();
    }

    /** The Host header value a client sends to the proxy. */
    String authority() {
        return "127.0.0.1:" + address().getPort();
    }

    /** Closes the adapter with this grace period, leaving the load balancer open; {@link #close()} does the rest. */
    void stopServing(Duration grace) {
        adapter.close(grace);
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
