package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /metrics} and {@code /status} of the runner, scraped over real sockets after real traffic. */
class StandaloneObservabilityTest {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private final Queue<String> backendPaths = new ConcurrentLinkedQueue<>();
    private HttpServer backend;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            backendPaths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
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

    private static Standalone.Running start(String yaml) throws IOException {
        return Standalone.start(RunnerConfig.parse("lb_port: \"127.0.0.1:0\"\n" + yaml, Map.of()));
    }

    private HttpResponse<String> send(InetSocketAddress to, String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + to.getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(DEADLINE)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the Prometheus text, keyed by its series as printed: {@code name{label="v",...}}. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.valueOf(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private Map<String, Double> scrape(InetSocketAddress at) throws Exception {
        HttpResponse<String> response = send(at, "GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return samples(response.body());
    }

    /**
     * Scrapes until {@code series} reads {@code value}: request listeners run just after a response went out, so
     * the client can be a moment ahead of the counters.
     */
    private Map<String, Double> scrapeUntil(InetSocketAddress at, String series, double value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> samples = scrape(at);
        while (!Double.valueOf(value).equals(samples.get(series)) && System.nanoTime() < deadline) {
            samples = scrape(at);
        }
        return samples;
    }

    @Test
    void backendUpIsPresentBeforeAnyTraffic() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nrate_limit: {enabled: false}\n"
                + "backends:\n  - " + backendUrl() + "\n")) {
            Map<String, Double> samples = scrape(running.address());
            assertEquals(1.0, samples.get("lb_backend_up{backend=\"" + backendUrl() + "\"}"));
            assertEquals(0.0, samples.get("lb_active_connections{backend=\"" + backendUrl() + "\"}"));
            assertTrue(backendPaths.isEmpty(), "the scrape reached no backend");
        }
    }

    @Test
    void metricsCountAnsweredRequestsRateLimitedOnesAndOtherMethods() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\n"
                + "rate_limit: {rate: 0.001, burst: 4}\nbackends:\n  - " + backendUrl() + "\n")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(running.address(), "GET", "/a").statusCode());
            }
            assertEquals(200, send(running.address(), "FOO", "/b").statusCode());
            assertEquals(429, send(running.address(), "GET", "/c").statusCode());

            String b = "backend=\"" + backendUrl() + "\"";
            // not limited, though the client is
            Map<String, Double> samples = scrapeUntil(running.address(), "lb_request_duration_seconds_count{" + b
                    + "}", 4.0);
            assertEquals(3.0, samples.get("lb_requests_total{" + b + ",method=\"GET\",status=\"200\"}"));
            assertEquals(1.0, samples.get("lb_requests_total{" + b + ",method=\"OTHER\",status=\"200\"}"));
            assertEquals(1.0, samples.get("lb_requests_total{backend=\"none\",method=\"GET\",status=\"429\"}"));
            assertFalse(samples.keySet().stream().anyMatch(series -> series.contains("FOO")));
            assertEquals(1.0, samples.get("lb_rate_limited_requests_total"));
            assertEquals(4.0, samples.get("lb_request_duration_seconds_count{" + b + "}"));
            assertEquals(4.0, samples.get("lb_request_duration_seconds_bucket{" + b + ",le=\"+Inf\"}"));
            assertEquals(1.0, samples.get("lb_backend_up{" + b + "}"));
            assertEquals(0.0, samples.get("lb_active_connections{" + b + "}"));
            assertEquals(List.of("GET /a", "GET /a", "GET /a", "FOO /b"), List.copyOf(backendPaths));
        }
    }

    @Test
    void aDeadBackendListAnswers503CountedUnderNone() throws Exception {
        String dead = "http://127.0.0.1:" + freePort();
        try (Standalone.Running running = start("health_check: {interval: 1h, wait_for_first_round: true}\n"
                + "rate_limit: {enabled: false}\nbackends:\n  - " + dead + "\n")) {
            assertEquals(503, send(running.address(), "GET", "/").statusCode());
            assertEquals(503, send(running.address(), "DELETE", "/").statusCode());

            Map<String, Double> samples = scrapeUntil(running.address(),
                    "lb_requests_total{backend=\"none\",method=\"DELETE\",status=\"503\"}", 1.0);
            assertEquals(1.0, samples.get("lb_requests_total{backend=\"none\",method=\"GET\",status=\"503\"}"));
            assertEquals(1.0, samples.get("lb_requests_total{backend=\"none\",method=\"DELETE\",status=\"503\"}"));
            assertEquals(0.0, samples.get("lb_backend_up{backend=\"" + dead + "\"}"));
            assertEquals(0.0, samples.get("lb_rate_limited_requests_total") == null ? 0.0
                    : samples.get("lb_rate_limited_requests_total"));

            Map<String, Object> status = TinyJson.object(send(running.address(), "GET", "/status").body());
            Map<?, ?> only = (Map<?, ?>) ((List<?>) status.get("backends")).get(0);
            assertEquals("DOWN", only.get("state"));
            assertTrue(only.get("last_failure") instanceof String, "last failure: " + only.get("last_failure"));
        }
    }

    @Test
    void statusListsBackendsStrategyAndTrackedClients() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nstrategy: least-connections\n"
                + "backends:\n  - {url: \"" + backendUrl() + "\", weight: 3}\n  - http://127.0.0.1:1/x\n")) {
            assertEquals(200, send(running.address(), "GET", "/").statusCode());
            HttpResponse<String> response = send(running.address(), "GET", "/status");
            assertEquals(200, response.statusCode());
            assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));

            Map<String, Object> status = TinyJson.object(response.body());
            assertEquals("least-connections", status.get("strategy"));
            assertEquals(1.0, ((Map<?, ?>) status.get("rate_limit")).get("tracked_clients"));
            List<?> backends = (List<?>) status.get("backends");
            assertEquals(2, backends.size());
            Map<?, ?> first = (Map<?, ?>) backends.get(0);
            assertEquals(backendUrl(), first.get("url"));
            assertEquals(3.0, first.get("weight"));
            assertEquals("UP", first.get("state"));
            assertEquals(0.0, first.get("in_flight"));
            assertTrue(first.containsKey("last_failure"));
            assertNull(first.get("last_failure"));
            java.time.Instant.parse((String) first.get("since"));
            assertEquals("http://127.0.0.1:1/x", ((Map<?, ?>) backends.get(1)).get("url"));
        }
    }

    @Test
    void statusHasNoLimiterWhenRateLimitingIsOff() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nrate_limit: {enabled: false}\n"
                + "backends:\n  - " + backendUrl() + "\n")) {
            Map<String, Object> status = TinyJson.object(send(running.address(), "GET", "/status").body());
            assertEquals("round-robin", status.get("strategy"));
            assertFalse(status.containsKey("rate_limit"));
        }
    }

    @Test
    void configuredPathsReplaceTheDefaultsWhichAreThenProxied() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nrate_limit: {enabled: false}\n"
                + "metrics_path: /_lb/metrics\nstatus_path: /_lb/status\nbackends:\n  - " + backendUrl() + "\n")) {
            assertTrue(send(running.address(), "GET", "/_lb/metrics").body().contains("lb_backend_up{"));
            assertTrue(TinyJson.object(send(running.address(), "GET", "/_lb/status").body()).containsKey("backends"));
            assertEquals("ok", send(running.address(), "GET", "/metrics").body());
            assertEquals("ok", send(running.address(), "GET", "/status").body());
            assertEquals("ok", send(running.address(), "GET", "/_lb/metricsx").body(), "only the exact path is ours");
            assertEquals(405, send(running.address(), "POST", "/_lb/metrics").statusCode());
            assertEquals(List.of("GET /metrics", "GET /status", "GET /_lb/metricsx"), List.copyOf(backendPaths));
        }
    }

    @Test
    void adminPortServesMetricsAndStatusWhileTheLoadBalancerProxiesThosePaths() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nrate_limit: {enabled: false}\n"
                + "admin_port: \"127.0.0.1:0\"\nbackends:\n  - " + backendUrl() + "\n")) {
            InetSocketAddress admin = running.adminAddress().orElseThrow();
            assertEquals("ok", send(running.address(), "GET", "/metrics").body());
            assertEquals("ok", send(running.address(), "GET", "/status").body());
            String b = "backend=\"" + backendUrl() + "\"";
            // The counters move just after each answer went out: wait for them rather than race them.
            Map<String, Double> samples = scrapeUntil(admin, "lb_requests_total{" + b
                    + ",method=\"GET\",status=\"200\"}", 2.0);
            assertEquals(2.0, samples.get("lb_requests_total{" + b + ",method=\"GET\",status=\"200\"}"),
                    "the proxied /metrics and /status count; the admin's own do not");
            assertEquals(1.0, samples.get("lb_backend_up{" + b + "}"));
            Map<String, Object> status = TinyJson.object(send(admin, "GET", "/status").body());
            assertEquals(1, ((List<?>) status.get("backends")).size());
            assertEquals(List.of("GET /metrics", "GET /status"), List.copyOf(backendPaths));
        }
    }

    @Test
    void withoutAdminPortThereIsNoAdminAddress() throws Exception {
        try (Standalone.Running running = start("health_check: {enabled: false}\nbackends:\n  - " + backendUrl()
                + "\n")) {
            assertTrue(running.adminAddress().isEmpty());
        }
    }

    @Test
    void aTakenAdminPortFailsTheStartAndLeavesNothingRunning() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> start("health_check: {enabled: false}\nadmin_port: \"127.0.0.1:" + taken.getLocalPort()
                            + "\"\nbackends:\n  - " + backendUrl() + "\n"));
            assertTrue(e.getMessage().startsWith("admin_port "), e.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
