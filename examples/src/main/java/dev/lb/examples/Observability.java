package dev.lb.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lb.api.BackendState;
import dev.lb.core.LoadBalancer;
import dev.lb.core.metrics.LoadBalancerMetrics;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import dev.lb.core.Exchange;
import dev.lb.server.LocalRoute;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's windows on the load balancer: {@code /metrics} (Prometheus text) and {@code /status} (JSON), on the
 * load balancer's own server or on a separate admin server, plus the access log. Both paths are answered by the
 * runner itself, so they are never rate limited nor proxied. Thread-safe.
 */
final class Observability implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Observability.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final HttpServer adminServer;
    private final Map<String, LocalRoute> routes;

    private Observability(PrometheusMeterRegistry registry, HttpServer adminServer, Map<String, LocalRoute> routes) {
        this.registry = registry;
        this.adminServer = adminServer;
        this.routes = routes;
    }

    /**
     * Binds the load balancer's meters to a new Prometheus registry, registers the access log when asked, and
     * serves the two paths on {@code settings.adminAddress()} when set, else gives them as {@link #routes()} for the
     * load balancer's own server.
     *
     * @throws IOException if the admin address cannot be bound
     */
    static Observability start(LoadBalancer lb, RunnerConfig.ObservabilitySettings settings) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LoadBalancerMetrics.of(lb).bindTo(registry);
        lb.addRequestListener(new AccessLog(settings.accessLog()));
        List<Endpoint> endpoints = List.of(new Endpoint(settings.metricsPath(), PROMETHEUS_TEXT, registry::scrape),
                new Endpoint(settings.statusPath(), "application/json; charset=utf-8", () -> statusJson(lb)));
        if (settings.adminAddress().isEmpty()) {
            log.atInfo().setMessage("metrics and status served").addKeyValue("metrics_path", settings.metricsPath())
                    .addKeyValue("status_path", settings.statusPath()).log();
            return new Observability(registry, null, Map.of(settings.metricsPath(), endpoints.get(0)::handle,
                    settings.statusPath(), endpoints.get(1)::handle));
        }
        HttpServer admin;
        try {
            admin = HttpServer.create(settings.adminAddress().get(), 0);
        } catch (IOException e) {
            registry.close();
            throw new IOException("admin_port " + settings.adminAddress().get() + ": " + e.getMessage(), e);
        }
        endpoints.forEach(endpoint -> admin.createContext(endpoint.path, endpoint::handle));
        admin.start();
        log.atInfo().setMessage("admin server listening").addKeyValue("address", admin.getAddress())
                .addKeyValue("metrics_path", settings.metricsPath())
                .addKeyValue("status_path", settings.statusPath()).log();
        return new Observability(registry, admin, Map.of());
    }

    /** The paths the load balancer's own server answers itself; empty when an admin server serves them. */
    Map<String, LocalRoute> routes() {
        return routes;
    }

    /** The admin server's address, empty when the paths are served on the load balancer's port. */
    Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(adminServer).map(HttpServer::getAddress);
    }

    /** Stops the admin server, if any, and the registry. Call after the load balancer's server has drained. */
    @Override
    public void close() {
        if (adminServer != null) {
            adminServer.stop(0);
        }
        registry.close();
    }

    /**
     * The document of {@code /status}: every backend's URL, weight, state, since when, in-flight requests and last
     * failure (null when none), the strategy's name, and the rate limiter's tracked clients (absent when rate
     * limiting is off).
     */
    static String statusJson(LoadBalancer lb) {
        StringBuilder json = new StringBuilder(256).append("{\"strategy\":");
        Json.string(json, lb.strategy().toString());
        Optional<TokenBucketLimiter.Stats> limiter = lb.rateLimitStats();
        limiter.ifPresent(stats -> json.append(",\"rate_limit\":{\"tracked_clients\":").append(stats.trackedKeys())
                .append(",\"evictions\":").append(stats.evictions())
                .append(",\"rejections\":").append(stats.rejections()).append('}'));
        json.append(",\"backends\":[");
        boolean first = true;
        for (BackendState state : lb.backendStates()) {
            json.append(first ? "{" : ",{").append("\"url\":");
            Json.string(json, state.backend().url());
            json.append(",\"weight\":").append(state.backend().weight()).append(",\"state\":");
            Json.string(json, state.status().name());
            json.append(",\"since\":");
            Json.string(json, state.since().toString());
            json.append(",\"in_flight\":").append(state.inFlight()).append(",\"last_failure\":");
            if (state.lastFailure().isPresent()) {
                Json.string(json, state.lastFailure().get());
            } else {
                json.append("null");
            }
            json.append('}');
            first = false;
        }
        return json.append("]}").toString();
    }

    /** What one of the paths answers; the same whether the admin server or the load balancer's server asked. */
    private record Answer(int status, String contentType, String text, boolean allowHeader) {
    }

    /**
     * Answers {@code GET} and {@code HEAD} of exactly {@code path} with a fresh body, {@code 405} other methods, and
     * {@code 404} other paths (HttpServer also routes {@code path}-prefixed paths such as {@code /metricsx} here).
     */
    private record Endpoint(String path, String contentType, Supplier<String> body) {
        Answer answer(String method, String requestPath) {
            if (!requestPath.equals(path)) {
                return new Answer(404, "text/plain; charset=utf-8", "not found\n", false);
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return new Answer(405, "text/plain; charset=utf-8", "method not allowed\n", true);
            }
            try {
                return new Answer(200, contentType, body.get(), false);
            } catch (RuntimeException e) {
                log.atWarn().setMessage("cannot answer").addKeyValue("path", path).setCause(e).log();
                throw e;
            }
        }

        /** On the admin server. */
        void handle(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                String method = exchange.getRequestMethod();
                Answer answer = answer(method, exchange.getRequestURI().getRawPath());
                byte[] bytes = answer.text.getBytes(StandardCharsets.UTF_8);
                headers(answer).forEach((name, value) -> exchange.getResponseHeaders().set(name, value.get(0)));
                boolean head = method.equals("HEAD");
                exchange.sendResponseHeaders(answer.status, head ? -1 : bytes.length);
                if (!head) {
                    exchange.getResponseBody().write(bytes);
                }
            }
        }

        /** On the load balancer's server, which routes only this exact path here. */
        void handle(Exchange exchange) throws IOException {
            try (InputStream in = exchange.requestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            Answer answer = answer(exchange.method(), path);
            byte[] bytes = answer.text.getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = exchange.respond(answer.status, headers(answer), bytes.length)) {
                if (!exchange.method().equals("HEAD")) {
                    out.write(bytes);
                }
            }
        }

        private static Map<String, List<String>> headers(Answer answer) {
            return answer.allowHeader
                    ? Map.of("Content-Type", List.of(answer.contentType), "Cache-Control", List.of("no-store"),
                            "Allow", List.of("GET, HEAD"))
                    : Map.of("Content-Type", List.of(answer.contentType), "Cache-Control", List.of("no-store"));
        }
    }
}
