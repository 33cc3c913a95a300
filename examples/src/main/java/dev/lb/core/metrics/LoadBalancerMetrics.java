package dev.lb.core.metrics;

import dev.lb.api.Backend;
import dev.lb.api.BackendState;
import dev.lb.api.RequestInfo;
import dev.lb.api.RequestListener;
import dev.lb.core.LoadBalancer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * TEMPORARY STUB, to be deleted when the real binder in lb-core is merged: the same name and signature, just
 * enough behaviour for the runner's tests. Do not build on it.
 */
public final class LoadBalancerMetrics implements MeterBinder {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH");
    private final LoadBalancer lb;

    private LoadBalancerMetrics(LoadBalancer lb) {
        this.lb = lb;
    }

    /** A binder for {@code lb}'s meters. */
    public static LoadBalancerMetrics of(LoadBalancer lb) {
        return new LoadBalancerMetrics(Objects.requireNonNull(lb, "lb"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (BackendState state : lb.backendStates()) {
            String url = state.backend().url();
            Gauge.builder("lb.backend.up", lb, l -> value(l, url, true)).tag("backend", url).register(registry);
            Gauge.builder("lb.active.connections", lb, l -> value(l, url, false)).tag("backend", url)
                    .register(registry);
        }
        Counter limited = Counter.builder("lb.rate.limited.requests").register(registry);
        lb.addRequestListener(new RequestListener() {
            @Override
            public void requestCompleted(RequestInfo request, Backend backend, int status, long durationNanos,
                                         long responseBytes) {
                String name = backend == null ? "none" : backend.url();
                String method = METHODS.contains(request.method()) ? request.method() : "OTHER";
                Counter.builder("lb.requests").tag("backend", name).tag("method", method)
                        .tag("status", Integer.toString(status)).register(registry).increment();
                Timer.builder("lb.request.duration").tag("backend", name).publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(5))
                        .register(registry).record(durationNanos, TimeUnit.NANOSECONDS);
                if (status == 429) {
                    limited.increment();
                }
            }
        });
    }

    private static double value(LoadBalancer lb, String url, boolean up) {
        for (BackendState state : lb.backendStates()) {
            if (state.backend().url().equals(url)) {
                return up ? (state.status() == BackendState.Status.UP ? 1 : 0) : state.inFlight();
            }
        }
        return Double.NaN;
    }
}
