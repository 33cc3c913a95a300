package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.BackendState;
import dev.lb.core.LoadBalancer;
import dev.lb.core.metrics.LoadBalancerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Go original's five series, rendered by the Prometheus registry, after real traffic. */
class MetricsTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void theFiveSeriesCountEveryAnsweredRequestWithBoundedLabels() throws Exception {
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + deadPort;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SwitchableBackend backend = SwitchableBackend.start("b1");
             TestProxy proxy = TestProxy.start(LoadBalancer.builder().backend(backend.url()).backend(dead)
                     .healthCheck(h -> h.path("/health").interval(Duration.ofMillis(100)).fall(1)
                             .waitForFirstRound(true))
                     .rateLimit(r -> r.perClient(0.001, 3).key(request -> request.header("X-Client"))))) {
            LoadBalancerMetrics.of(proxy.lb()).bindTo(registry);
            String live = backend.url();

            List<String> before = series(registry);
            assertTrue(before.contains("lb_backend_up{backend=\"" + live + "\"} 1.0"), before.toString());
            assertTrue(before.contains("lb_backend_up{backend=\"" + dead + "\"} 0.0"), before.toString());
            assertTrue(before.contains("lb_active_connections{backend=\"" + live + "\"} 0.0"), before.toString());
            assertTrue(before.contains("lb_rate_limited_requests_total 0.0"), before.toString());

            assertEquals(200, send(proxy, "GET", "a"));
            assertEquals(200, send(proxy, "POST", "a"));
            assertEquals(200, send(proxy, "FOO", "a"));
            assertEquals(429, send(proxy, "GET", "a"));
            backend.health(500);
            awaitDown(proxy.lb());
            assertEquals(503, send(proxy, "GET", "b"));

            List<String> expectedSeries = List.of(
                    "lb_requests_total{backend=\"" + live + "\",method=\"GET\",status=\"200\"} 1.0",
                    "lb_requests_total{backend=\"" + live + "\",method=\"POST\",status=\"200\"} 1.0",
                    "lb_requests_total{backend=\"" + live + "\",method=\"OTHER\",status=\"200\"} 1.0",
                    "lb_requests_total{backend=\"none\",method=\"GET\",status=\"429\"} 1.0",
                    "lb_requests_total{backend=\"none\",method=\"GET\",status=\"503\"} 1.0",
                    "lb_rate_limited_requests_total 1.0",
                    "lb_backend_up{backend=\"" + live + "\"} 0.0",
                    "lb_request_duration_seconds_count{backend=\"" + live + "\"} 3",
                    "lb_request_duration_seconds_count{backend=\"none\"} 2");
            // Listeners run just after the response went out, so the client can be a moment ahead of them.
            List<String> after = awaitSeries(registry, expectedSeries);
            assertTrue(after.stream().anyMatch(line -> line.matches(
                    "lb_health_probes_total\\{backend=\"" + java.util.regex.Pattern.quote(live)
                            + "\",result=\"fail\"} [1-9].*")), after.toString());
            assertTrue(after.contains("lb_backend_transitions_total{backend=\"" + live + "\",to=\"DOWN\"} 1.0"),
                    after.toString());
            assertTrue(after.stream().anyMatch(line -> line.startsWith(
                    "lb_request_duration_seconds_bucket{backend=\"" + live + "\",le=\"5.0E-4\"}")), after.toString());
            assertEquals(5, after.stream().filter(line -> line.startsWith("lb_requests_total{")).count(),
                    "no other request series");
        }
    }

    @Test
    void retriesAndLimitsHaveTheirOwnSeries() throws Exception {
        int deadPort;
        try (ServerSocket free = new ServerSocket(0)) {
            deadPort = free.getLocalPort();
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SwitchableBackend backend = SwitchableBackend.start("b1");
             TestProxy proxy = TestProxy.start(LoadBalancer.builder().passiveHealth(p -> p.enabled(false))
                     .backend("http://127.0.0.1:" + deadPort).backend(backend.url()))) {
            LoadBalancerMetrics.of(proxy.lb()).bindTo(registry);
            assertEquals(200, send(proxy, "GET", "a"));
            assertEquals(200, send(proxy, "GET", "a")); // the retry's pick moved the rotation on: dead first again
            awaitSeries(registry, List.of(
                    "lb_retries_total{cause=\"unsent\"} 2.0",
                    "lb_retries_total{cause=\"reset\"} 0.0",
                    "lb_retries_total{cause=\"status\"} 0.0",
                    "lb_retry_budget_exhausted_total 0.0",
                    "lb_overload_rejections_total{limit=\"global\"} 0.0",
                    "lb_overload_rejections_total{limit=\"backend\"} 0.0",
                    "lb_in_flight 0.0"));
        }
    }

    private int send(TestProxy proxy, String method, String clientKey) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(proxy.uri("/x")).header("X-Client", clientKey)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void awaitDown(LoadBalancer lb) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (lb.backendStates().stream().anyMatch(s -> s.status() == BackendState.Status.UP)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the backend never went down: " + lb.backendStates());
            }
            Thread.onSpinWait();
        }
    }

    private static List<String> awaitSeries(PrometheusMeterRegistry registry, List<String> expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> scraped = series(registry);
        while (!scraped.containsAll(expected) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            scraped = series(registry);
        }
        for (String line : expected) {
            assertTrue(scraped.contains(line), line + " in\n" + String.join("\n", scraped));
        }
        return scraped;
    }

    private static List<String> series(PrometheusMeterRegistry registry) {
        return Arrays.stream(registry.scrape().split("\n")).filter(line -> !line.startsWith("#"))
                .collect(Collectors.toList());
    }
}
