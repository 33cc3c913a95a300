package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's rate limit on real sockets: the Go original's 10/s, burst 20 when {@code config.yaml} says nothing,
 * none for the benchmark rig. Real time passes here, so the assertions allow for the tokens it brings back. The
 * backend is a bare HttpServer: answering in about a millisecond, it lets the test offer far more than 10/s.
 */
class StandaloneRateLimitTest {
    static {
        // As Standalone does: the JDK reads it once, at the first HttpServer, and without it each small response
        // waits some 40 ms for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private final AtomicInteger backendRequests = new AtomicInteger();
    private HttpServer backend;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            if (!"lb-health-check".equals(exchange.getRequestHeaders().getFirst("User-Agent"))) {
                backendRequests.incrementAndGet(); // traffic only: the runner's health probes are not limited
            }
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[] {'o', 'k'});
            }
        });
        backend.start();
    }

    @AfterEach
    void stopBackend() {
        backend.stop(0);
    }

    private String backendUrl() {
        return "http://127.0.0.1:" + backend.getAddress().getPort();
    }

    private HttpResponse<String> get(Standalone.Running running) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + "/");
        return client.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aConfigWithoutRateLimitGetsTheGoOriginalsLimit() throws Exception {
        RunnerConfig config = RunnerConfig.parse("lb_port: \"127.0.0.1:0\"\nbackends:\n  - " + backendUrl() + "\n",
                Map.of());
        try (Standalone.Running running = Standalone.start(config)) {
            long started = System.nanoTime();
            int admitted = 0;
            HttpResponse<String> response = null;
            for (int i = 0; i < 500; i++) {
                response = get(running);
                if (response.statusCode() == 429) {
                    break;
                }
                admitted++;
            }
            double seconds = (System.nanoTime() - started) / 1e9;

            assertEquals(429, response.statusCode());
            assertTrue(response.headers().firstValue("Retry-After").isPresent());
            assertEquals("\"default\";q=20;w=2", response.headers().firstValue("RateLimit-Policy").orElseThrow());
            assertTrue(admitted >= 20 && admitted <= 20 + 10 * seconds + 1,
                    admitted + " admitted in " + seconds + " s");
            assertEquals(admitted, backendRequests.get());
        }
    }

    @Test
    void theBenchmarkRigsBackendsAreNotLimited() throws Exception {
        RunnerConfig config = RunnerConfig.ofBackends(backendUrl(), Map.of("LB_PORT", "127.0.0.1:0"));
        try (Standalone.Running running = Standalone.start(config)) {
            long started = System.nanoTime();
            for (int i = 0; i < 60; i++) {
                assertEquals(200, get(running).statusCode());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(60 > 20 + 10 * seconds, "fast enough that the Go original's limit would have refused some");
        }
        assertEquals(60, backendRequests.get());
    }
}
