package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.time.Duration;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** Options fail fast; local routes and the connection limit answer on the server's own behalf. */
class ServerOptionsTest {
    @Test
    void badValuesFailNamingTheField() {
        ServerOptions.Builder builder = ServerOptions.builder();
        assertEquals("headerReadTimeout: PT0S (expected: 1 ms to 24 days)", assertThrows(
                IllegalArgumentException.class, () -> builder.headerReadTimeout(Duration.ZERO)).getMessage());
        assertEquals("writeTimeout: PT-1S (expected: 1 ms to 24 days)", assertThrows(
                IllegalArgumentException.class, () -> builder.writeTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("maxConnections: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> builder.maxConnections(0)).getMessage());
        assertEquals("route path: metrics (expected: a path starting with /)", assertThrows(
                IllegalArgumentException.class, () -> builder.route("metrics", exchange -> { })).getMessage());
        builder.route("/metrics", exchange -> { });
        assertEquals("route path: /metrics (expected: one route per path)", assertThrows(
                IllegalArgumentException.class, () -> builder.route("/metrics", exchange -> { })).getMessage());
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        ServerOptions defaults = ServerOptions.defaults();
        assertEquals(Duration.ofSeconds(10), defaults.headerReadTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.bodyReadTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.idleTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.writeTimeout());
        assertTrue(defaults.routes().isEmpty());
    }

    @Test
    void aRouteThatThrowsGets500AndNoStackTrace() throws Exception {
        try (MockWebServer backend = TestServer.startMockServer();
             TestServer server = TestServer.start(LoadBalancer.builder().backend(TestServer.url(backend)),
                     ServerOptions.builder().route("/boom", exchange -> {
                         throw new IllegalStateException("secret detail");
                     }).build());
             RawClient client = server.connect()) {
            client.send(server.get("/boom"));
            RawClient.Response response = client.read("GET");

            assertEquals(500, response.status());
            assertEquals("internal error\n", response.bodyText());
            assertFalse(response.bodyText().contains("secret"));
            assertEquals("close", response.header("Connection"));
            assertEquals(0, backend.getRequestCount());
        }
    }

    @Test
    void aConnectionBeyondTheLimitGets503AtOnce() throws Exception {
        try (MockWebServer backend = TestServer.startMockServer();
             TestServer server = TestServer.start(LoadBalancer.builder().backend(TestServer.url(backend)),
                     ServerOptions.builder().maxConnections(1).route("/ping", exchange ->
                             exchange.respondText(200, "pong", 0)).build());
             RawClient first = server.connect()) {
            first.send(server.get("/ping"));
            assertEquals("pong\n", first.read("GET").bodyText());

            try (RawClient second = server.connect()) {
                RawClient.Response refused = second.read("GET");
                assertEquals(503, refused.status());
                assertEquals("1", refused.header("Retry-After"));
                assertEquals("overloaded: 1 connections open (the maximum)\n", refused.bodyText());
            }
            first.send(server.get("/ping"));
            assertEquals("pong\n", first.read("GET").bodyText(), "the open connection is unaffected");
        }
    }
}
