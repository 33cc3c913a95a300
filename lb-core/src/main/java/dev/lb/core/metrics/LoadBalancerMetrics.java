package dev.lb.core.metrics;

import dev.lb.api.Backend;
import dev.lb.api.BackendListener;
import dev.lb.api.BackendState;
import dev.lb.api.RequestInfo;
import dev.lb.api.RequestListener;
import dev.lb.core.LoadBalancer;
import dev.lb.core.TrafficStats;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a {@link LoadBalancer}, with the Go original's Prometheus names:
 * <ul>
 *   <li>{@code lb_requests_total{backend,method,status}}: every answered request; {@code backend="none"} when the
 *       load balancer answered itself (429, 503, 400); {@code status} the numeric code; {@code method} one of the
 *       standard methods or {@code OTHER};</li>
 *   <li>{@code lb_request_duration_seconds{backend}}: a histogram with buckets from 0.5 ms to 10 s;</li>
 *   <li>{@code lb_backend_up{backend}}: 1 or 0, for every backend from the moment it joins until it leaves;</li>
 *   <li>{@code lb_active_connections{backend}}: requests in flight;</li>
 *   <li>{@code lb_rate_limited_requests_total}: requests answered 429;</li>
 * </ul>
 * and also {@code lb_backend_ejections_total{backend}} (passive ejections),
 * {@code lb_backend_transitions_total{backend,to}} (health status changes),
 * {@code lb_health_probes_total{backend,result}} ({@code pass} or {@code fail}),
 * {@code lb_retries_total{cause}} ({@code unsent}: reached no backend; {@code reset}: broken off before an answer;
 * {@code status}: a retryable status), {@code lb_retry_budget_exhausted_total},
 * {@code lb_overload_rejections_total{limit}} ({@code global} or {@code backend}), {@code lb_in_flight}, and with
 * rate limiting
 * {@code lb_rate_limiter_tracked_clients}, {@code lb_rate_limiter_evictions_total} and
 * {@code lb_rate_limiter_overflow_total}. A backend's meters are removed when it leaves the pool.
 *
 * <pre>{@code LoadBalancerMetrics.of(lb).bindTo(registry);}</pre>
 *
 * <p>Per request the cost is an array slot and a counter increment plus a timer record; a meter is registered
 * the first time its series appears. Thread-safe.
 */
// Micrometer is optional ("requires static"), so its types in this API are not re-exported: users who bind
// metrics have Micrometer themselves.
@SuppressWarnings("exports")
public final class LoadBalancerMetrics implements MeterBinder {
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH", "OTHER");
    private static final int MIN_STATUS = 100;
    private static final int STATUSES = 500; // 100-599
    private static final String NONE = "none";
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final LoadBalancer lb;

    private LoadBalancerMetrics(LoadBalancer lb) {
        this.lb = lb;
    }

    /** A binder for {@code lb}; bind it to as many registries as you like. */
    public static LoadBalancerMetrics of(LoadBalancer lb) {
        return new LoadBalancerMetrics(Objects.requireNonNull(lb, "lb"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        Bound bound = new Bound(registry);
        lb.addBackendListener(bound);
        lb.backendStates().forEach(state -> bound.add(state.backend()));
        lb.addRequestListener(bound);
        FunctionCounter.builder("lb.rate.limited.requests", lb, limiterStat(TokenBucketLimiter.Stats::rejections))
                .description("Requests answered 429 by the per-client rate limit").register(registry);
        TrafficStats traffic = lb.trafficStats();
        retries(registry, traffic, "unsent", TrafficStats::retriesUnsent);
        retries(registry, traffic, "reset", TrafficStats::retriesSent);
        retries(registry, traffic, "status", TrafficStats::retriesOnStatus);
        FunctionCounter.builder("lb.retry.budget.exhausted", traffic, TrafficStats::retryBudgetExhausted)
                .description("Retries not made because the retry budget was spent").register(registry);
        FunctionCounter.builder("lb.overload.rejections", traffic, TrafficStats::rejectedOverloaded)
                .description("Requests answered 503 by a concurrency limit").tag("limit", "global")
                .register(registry);
        FunctionCounter.builder("lb.overload.rejections", traffic, TrafficStats::rejectedBackendsFull)
                .description("Requests answered 503 by a concurrency limit").tag("limit", "backend")
                .register(registry);
        Gauge.builder("lb.in.flight", lb, LoadBalancer::inFlight)
                .description("Requests being handled, bounded by maxInFlight").register(registry);
        lb.rateLimitStats().ifPresent(stats -> {
            Gauge.builder("lb.rate.limiter.tracked.clients", lb, limiterStat(TokenBucketLimiter.Stats::trackedKeys))
                    .description("Clients with a bucket in the rate limiter's table").register(registry);
            FunctionCounter.builder("lb.rate.limiter.evictions", lb, limiterStat(TokenBucketLimiter.Stats::evictions))
                    .description("Refilled buckets evicted to make room").register(registry);
            FunctionCounter.builder("lb.rate.limiter.overflow", lb, limiterStat(TokenBucketLimiter.Stats::overflowUses))
                    .description("Requests of new clients served by the shared overflow bucket (table full)")
                    .register(registry);
        });
    }

    private static void retries(MeterRegistry registry, TrafficStats traffic, String cause,
                                ToDoubleFunction<TrafficStats> count) {
        FunctionCounter.builder("lb.retries", traffic, count).description("Requests tried again on another backend")
                .tag("cause", cause).register(registry);
    }

    private static ToDoubleFunction<LoadBalancer> limiterStat(ToDoubleFunction<TokenBucketLimiter.Stats> stat) {
        return lb -> lb.rateLimitStats().map(stat::applyAsDouble).orElse(0.0);
    }

    private static int methodIndex(String method) {
        switch (method) {
            case "GET":
                return 0;
            case "HEAD":
                return 1;
            case "POST":
                return 2;
            case "PUT":
                return 3;
            case "DELETE":
                return 4;
            case "CONNECT":
                return 5;
            case "OPTIONS":
                return 6;
            case "TRACE":
                return 7;
            case "PATCH":
                return 8;
            default:
                return 9; // anything a client invents counts as OTHER: bounded label values
        }
    }

    /** The meters of one registry: per backend, plus {@code backend="none"}. */
    private final class Bound implements RequestListener, BackendListener {
        private final MeterRegistry registry;
        private final Map<Backend, BackendMeters> byBackend = new ConcurrentHashMap<>();
        private final BackendMeters none;

        Bound(MeterRegistry registry) {
            this.registry = registry;
            this.none = new BackendMeters(registry, NONE, false);
        }

        void add(Backend backend) {
            byBackend.computeIfAbsent(backend, b -> {
                BackendMeters meters = new BackendMeters(registry, b.url(), true);
                meters.owned.add(Gauge.builder("lb.backend.up", lb, l -> stateOf(l, b, true))
                        .description("1 when the backend takes new requests, else 0").tag("backend", b.url())
                        .register(registry));
                meters.owned.add(Gauge.builder("lb.active.connections", lb, l -> stateOf(l, b, false))
                        .description("Requests in flight on the backend").tag("backend", b.url())
                        .register(registry));
                return meters;
            });
        }

        /** The backend's 1/0 up state, or its in-flight count; 0 once it has left the pool. */
        private double stateOf(LoadBalancer l, Backend backend, boolean up) {
            return l.backendState(backend)
                    .map(state -> up ? (state.status() == BackendState.Status.UP ? 1 : 0) : state.inFlight())
                    .orElse(0);
        }

        @Override
        public void added(BackendState state) {
            add(state.backend());
        }

        @Override
        public void removed(Backend backend) {
            BackendMeters meters = byBackend.remove(backend);
            if (meters != null) {
                meters.owned.forEach(registry::remove);
            }
        }

        @Override
        public void stateChanged(BackendState previous, BackendState current) {
            BackendMeters meters = byBackend.get(current.backend());
            if (meters != null) {
                meters.transition(current.status());
            }
        }

        @Override
        public void probed(Backend backend, boolean passed, String reason) {
            BackendMeters meters = byBackend.get(backend);
            if (meters != null) {
                (passed ? meters.probesPassed : meters.probesFailed).increment();
            }
        }

        @Override
        public void requestCompleted(RequestInfo request, Backend backend, int status, long durationNanos,
                                     long responseBytes) {
            if (status < MIN_STATUS || status >= MIN_STATUS + STATUSES) {
                return; // dropped connection: no status to count
            }
            BackendMeters meters = backend == null ? none : byBackend.get(backend);
            if (meters != null) { // null: the backend left the pool while this request was in flight
                meters.count(methodIndex(request.method()), status);
                meters.duration.record(durationNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** One backend's meters in one registry. Counters are registered on first use and then read from an array. */
    private static final class BackendMeters {
        private final MeterRegistry registry;
        private final String backend;
        private final Timer duration;
        private final AtomicReferenceArray<Counter> requests =
                new AtomicReferenceArray<>(METHODS.size() * STATUSES);
        private final AtomicReferenceArray<Counter> transitions =
                new AtomicReferenceArray<>(BackendState.Status.values().length);
        private final Counter ejections;
        private final Counter probesPassed;
        private final Counter probesFailed;
        final List<Meter> owned = new CopyOnWriteArrayList<>();

        /** @param health whether to count health events too: not for {@code backend="none"} */
        BackendMeters(MeterRegistry registry, String backend, boolean health) {
            this.registry = registry;
            this.backend = backend;
            this.duration = own(Timer.builder("lb.request.duration").description("Time to answer a request")
                    .tag("backend", backend).serviceLevelObjectives(BUCKETS).register(registry));
            this.ejections = health ? own(Counter.builder("lb.backend.ejections")
                    .description("Times passive health checks ejected the backend").tag("backend", backend)
                    .register(registry)) : null;
            this.probesPassed = health ? probes(registry, backend, "pass") : null;
            this.probesFailed = health ? probes(registry, backend, "fail") : null;
        }

        private Counter probes(MeterRegistry registry, String backend, String result) {
            return own(Counter.builder("lb.health.probes").description("Active health probes by result")
                    .tags("backend", backend, "result", result).register(registry));
        }

        private <M extends Meter> M own(M meter) {
            owned.add(meter);
            return meter;
        }

        void count(int method, int status) {
            int slot = method * STATUSES + status - MIN_STATUS;
            Counter counter = requests.get(slot);
            if (counter == null) {
                counter = own(Counter.builder("lb.requests").description("Answered requests")
                        .tags("backend", backend, "method", METHODS.get(method), "status", Integer.toString(status))
                        .register(registry));
                requests.set(slot, counter); // a racing registration returns the same meter
            }
            counter.increment();
        }

        void transition(BackendState.Status to) {
            if (to == BackendState.Status.EJECTED) {
                ejections.increment();
            }
            int slot = to.ordinal();
            Counter counter = transitions.get(slot);
            if (counter == null) {
                counter = own(Counter.builder("lb.backend.transitions").description("Health status changes")
                        .tags("backend", backend, "to", to.name()).register(registry));
                transitions.set(slot, counter);
            }
            counter.increment();
        }
    }
}
