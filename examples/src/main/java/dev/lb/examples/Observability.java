package dev.lb.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.lb.api.BackendState;
import dev.lb.core.LoadBalancer;
import dev.lb.core.metrics.LoadBalancerMetrics;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import dev.lb.httpserver.HttpServerAdapter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
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

    private Observability(PrometheusMeterRegistry registry, HttpServer adminServer) {
        this.registry = registry;
        this.adminServer = adminServer;
    }

    /**
     * Binds the load balancer's meters to a new Prometheus registry, registers the access log when asked, and
     * serves the two paths on {@code settings.adminAddress()} when set, else on {@code adapter}'s server.
     *
     * @throws IOException if the admin address cannot be bound
     */
    static Observability start(LoadBalancer lb, HttpServerAdapter adapter,
                               RunnerConfig.ObservabilitySettings settings) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LoadBalancerMetrics.of(lb).bindTo(registry);
        lb.addRequestListener(new AccessLog(settings.accessLog()));
        HttpHandler metrics = exact(settings.metricsPath(), PROMETHEUS_TEXT, () -> registry.scrape());
        HttpHandler status = exact(settings.statusPath(), "application/json; charset=utf-8", () -> statusJson(lb));
        HttpServer admin = null;
        if (settings.adminAddress().isPresent()) {
            try {
                admin = HttpServer.create(settings.adminAddress().get(), 0);
            } catch (IOException e) {
                registry.close();
                throw new IOException("admin_port " + settings.adminAddress().get() + ": " + e.getMessage(), e);
            }
            admin.createContext(settings.metricsPath(), metrics);
            admin.createContext(settings.statusPath(), status);
            admin.start();
            log.atInfo().setMessage("admin server listening").addKeyValue("address", admin.getAddress())
                    .addKeyValue("metrics_path", settings.metricsPath())
                    .addKeyValue("status_path", settings.statusPath()).log();
        } else {
            adapter.createContext(settings.metricsPath(), metrics);
            adapter.createContext(settings.statusPath(), status);
            log.atInfo().setMessage("metrics and status served").addKeyValue("metrics_path", settings.metricsPath())
                    .addKeyValue("status_path", settings.statusPath()).log();
        }
        return new Observability(registry, admin);
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

    /** A producer of a response body; may throw, which answers 500. */
    private interface Body {
        String get();
    }

    /**
     * Answers {@code GET} and {@code HEAD} of exactly {@code path}. HttpServer also routes {@code path}-prefixed
     * paths such as {@code /metricsx} here; those get 404 rather than being proxied.
     */
    private static HttpHandler exact(String path, String contentType, Body body) {
        return exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                String method = exchange.getRequestMethod();
                if (!exchange.getRequestURI().getRawPath().equals(path)) {
                    respond(exchange, 404, "text/plain; charset=utf-8", "not found\n", false);
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", false);
                } else {
                    respond(exchange, 200, contentType, body.get(), method.equals("HEAD"));
                }
            } catch (RuntimeException e) {
                log.atWarn().setMessage("cannot answer").addKeyValue("path", path).setCause(e).log();
                throw e;
            }
        };
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String text, boolean head)
            throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
