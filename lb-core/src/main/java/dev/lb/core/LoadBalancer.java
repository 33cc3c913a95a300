package dev.lb.core;

import dev.lb.api.Backend;
import dev.lb.api.BackendListener;
import dev.lb.api.BackendState;
import dev.lb.api.RequestListener;
import dev.lb.api.spi.Strategy;
import dev.lb.core.health.HealthMonitor;
import dev.lb.core.internal.Balancer;
import dev.lb.core.internal.Member;
import dev.lb.core.internal.MemberLease;
import dev.lb.core.internal.Scheduler;
import dev.lb.core.internal.ThreadScheduler;
import dev.lb.core.proxy.Forwarder;
import dev.lb.core.proxy.JdkForwarder;
import dev.lb.core.proxy.Outcome;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import dev.lb.core.strategy.Strategies;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running load balancer: picks a backend for each {@link Exchange} a host adapter hands to
 * {@link #handle(Exchange)} and reverse-proxies the exchange to it.
 *
 * <pre>{@code
 * LoadBalancer lb = LoadBalancer.builder()
 *         .strategy("least-connections")
 *         .backend("http://10.0.0.1:8080")
 *         .backend("http://10.0.0.2:8080", 3)
 *         .start();
 * }</pre>
 *
 * <p>Thread-safe: {@code handle} is called concurrently, once per request, from the host's threads.
 * {@link #close()} releases the backend connections; stop the host adapter first so in-flight requests drain.
 */
public final class LoadBalancer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadBalancer.class);

    private final Balancer balancer;
    private final Forwarder forwarder;
    private final Scheduler scheduler;
    private final HealthMonitor monitor;
    private final PassiveHealth passive;
    private final Duration drainTimeout;
    private final RateLimitGate rateLimit; // null: no rate limiting
    private final int maxAttempts;
    private final ReentrantLock listenersLock = new ReentrantLock();
    private volatile RequestListener[] requestListeners = new RequestListener[0];
    private volatile boolean closed;

    private LoadBalancer(Balancer balancer, Forwarder forwarder, Scheduler scheduler, HealthMonitor monitor,
                         PassiveHealth passive, Duration drainTimeout, RateLimitGate rateLimit, int maxAttempts) {
        this.balancer = balancer;
        this.forwarder = forwarder;
        this.scheduler = scheduler;
        this.monitor = monitor;
        this.passive = passive;
        this.drainTimeout = drainTimeout;
        this.rateLimit = rateLimit;
        this.maxAttempts = maxAttempts;
    }

    /** A builder with the defaults: {@code round-robin}, connect timeout 2s, response timeout 30s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Proxies one exchange: picks a backend, forwards the request, relays the response. A request that reached no
     * backend (connection refused or connect timeout, no byte sent) is tried on another backend, up to
     * {@link Builder#maxAttempts} backends in all. Answers {@code 503} with
     * {@code Retry-After} at once when no backend is eligible or the load balancer is closed, {@code 502} when
     * the backend cannot be reached or breaks the exchange, {@code 504} when it does not answer in time.
     * With rate limiting on, a client over its limit gets {@code 429} before any backend is picked.
     *
     * @throws IOException when the response to the client could not be completed (client gone, backend broke off
     *                     mid-body); the host must drop the connection
     */
    public void handle(Exchange exchange) throws IOException {
        Objects.requireNonNull(exchange, "exchange");
        long start = System.nanoTime();
        if (rateLimit != null) {
            long limited = rateLimit.admit(exchange);
            if (limited >= 0) {
                completed(exchange, null, 429, start, limited);
                return;
            }
        }
        MemberLease lease = closed ? null : balancer.pick(exchange);
        if (lease == null) {
            String reason = closed ? "load balancer closed" : "no backend available";
            log.atDebug().setMessage("no backend").addKeyValue("reason", reason)
                    .addKeyValue("client", exchange.remoteAddress()).log();
            completed(exchange, null, 503, start, exchange.respondText(503, reason, balancer.retryAfterSeconds()));
            return;
        }
        Outcome outcome = attempt(exchange, lease, maxAttempts > 1 && balancer.eligibleCount() > 1, start);
        if (!outcome.answered()) {
            retry(exchange, lease, outcome, start);
        }
    }

    /** Tries backends not yet tried until one answers or attempts run out; only requests that reached none. */
    private void retry(Exchange exchange, MemberLease failed, Outcome failure, long start) throws IOException {
        Set<Member> tried = new HashSet<>();
        MemberLease last = failed;
        Outcome outcome = failure;
        while (!outcome.answered()) {
            tried.add(last.member());
            MemberLease next = balancer.pickAnother(exchange, tried);
            if (next == null) { // the pool changed meanwhile: answer with the failure after all
                completed(exchange, last.backend(), outcome.status(), start,
                        exchange.respondText(outcome.status(), outcome.message(), 0));
                return;
            }
            log.atDebug().setMessage("retrying on another backend").addKeyValue("failed", last.backend())
                    .addKeyValue("next", next.backend()).addKeyValue("detail", outcome.detail()).log();
            tried.add(next.member());
            boolean mayRetry = tried.size() < maxAttempts && balancer.hasAnother(tried);
            outcome = attempt(exchange, next, mayRetry, start);
            last = next;
        }
    }

    /** One forwarding attempt on the leased backend; tells listeners unless it was left unanswered for a retry. */
    private Outcome attempt(Exchange exchange, MemberLease lease, boolean mayRetry, long start) throws IOException {
        Outcome outcome = null;
        long attemptStart = scheduler.nanoTime();
        try {
            outcome = forwarder.forward(exchange, lease.backend(), mayRetry);
            if (outcome.failure() != Outcome.Failure.NONE) {
                log.atDebug().setMessage("request failed").addKeyValue("backend", lease.backend())
                        .addKeyValue("status", outcome.status()).addKeyValue("failure", outcome.failure())
                        .addKeyValue("detail", outcome.detail()).log();
            }
            feedBack(lease.member(), outcome);
            if (outcome.answered() && outcome.failure() != Outcome.Failure.BAD_REQUEST) { // latency for ewma
                long attemptEnd = scheduler.nanoTime();
                lease.member().observeLatency(attemptEnd - attemptStart, attemptEnd);
            }
            return outcome;
        } finally {
            lease.release();
            if (outcome == null || outcome.answered()) {
                completed(exchange, outcome != null && outcome.failure() == Outcome.Failure.BAD_REQUEST ? null
                        : lease.backend(), outcome == null ? 0 : outcome.status(), start,
                        outcome == null ? 0 : outcome.bytes());
            }
        }
    }

    private void completed(Exchange exchange, Backend backend, int status, long start, long bytes) {
        RequestListener[] listeners = requestListeners;
        if (listeners.length == 0) {
            return;
        }
        long duration = System.nanoTime() - start;
        for (RequestListener listener : listeners) {
            try {
                listener.requestCompleted(exchange, backend, status, duration, bytes);
            } catch (RuntimeException e) {
                log.atWarn().setMessage("request listener threw; ignored").setCause(e).log();
            }
        }
    }

    /**
     * Registers a listener told of every answered request, e.g. a metrics binder or an access log. Listeners
     * cannot be removed; they live as long as the load balancer.
     */
    public void addRequestListener(RequestListener listener) {
        Objects.requireNonNull(listener, "listener");
        listenersLock.lock();
        try {
            RequestListener[] more = Arrays.copyOf(requestListeners, requestListeners.length + 1);
            more[more.length - 1] = listener;
            requestListeners = more;
        } finally {
            listenersLock.unlock();
        }
    }

    /** Registers one more listener for backend state changes, besides the builder's. */
    public void addBackendListener(BackendListener listener) {
        balancer.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Tells passive health what the backend did: connection, timeout and protocol failures count, 4xx never. */
    private void feedBack(Member member, Outcome outcome) {
        switch (outcome.failure()) {
            case CONNECT:
            case TIMEOUT:
            case BACKEND:
                balancer.requestFailed(member, outcome.failure() + ": " + outcome.detail());
                break;
            case NONE:
                if (outcome.status() >= 500 && passive.ejectOn5xx()) {
                    balancer.requestFailed(member, "answered " + outcome.status());
                } else {
                    balancer.requestSucceeded(member);
                }
                break;
            default:
                break; // the client's doing, not the backend's
        }
    }

    /**
     * Adds a backend while serving. It starts up (or, with {@code waitForFirstRound}, down until its first probe
     * passes) and is probed like the others.
     *
     * @throws IllegalArgumentException if the URL is invalid, the weight below 1, or the backend already a member
     */
    public void addBackend(String url, int weight) {
        Member member = balancer.add(Backend.of(url, weight));
        if (monitor != null) {
            monitor.watch(member);
        }
    }

    /** {@link #addBackend(String, int)} with weight 1. */
    public void addBackend(String url) {
        addBackend(url, 1);
    }

    /**
     * Removes a backend while serving: it gets no new request from now on, its in-flight requests may finish
     * until the drain timeout (default 30s), then it leaves the pool.
     *
     * @return completes when the backend has left the pool
     * @throws IllegalArgumentException if the URL is invalid or not a member
     */
    public CompletableFuture<Void> removeBackend(String url) {
        return balancer.remove(Backend.of(url), drainTimeout);
    }

    /** Every backend's state now, in configuration order (added ones last). */
    public List<BackendState> backendStates() {
        List<BackendState> states = new ArrayList<>();
        balancer.members().forEach(member -> states.add(member.state()));
        return List.copyOf(states);
    }

    /** The backends in configuration order. */
    public List<Backend> backends() {
        List<Backend> backends = new ArrayList<>();
        balancer.members().forEach(member -> backends.add(member.backend()));
        return List.copyOf(backends);
    }

    /** The rate limiter's counters, or empty when rate limiting is off. */
    public Optional<TokenBucketLimiter.Stats> rateLimitStats() {
        return rateLimit == null ? Optional.empty() : Optional.of(rateLimit.stats());
    }

    /** The strategy in use; built-in strategies print as their name. */
    public Strategy strategy() {
        return balancer.strategy();
    }

    /**
     * Refuses new requests with {@code 503} and releases the backend connections. Requests still in flight may
     * fail, so stop the host adapter (which drains) before calling this. Idempotent.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (monitor != null) {
                monitor.close();
            }
            scheduler.close();
            forwarder.close();
            log.atInfo().setMessage("load balancer closed").log();
        }
    }

    /**
     * Configures a {@link LoadBalancer}. Each setter checks its own argument and throws
     * {@link IllegalArgumentException} naming the field, the value and what is expected; {@link #start()} checks
     * the whole. Not thread-safe; a builder may be reused.
     */
    public static final class Builder {
        private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
        private static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

        private final Map<Backend, Backend> backends = new LinkedHashMap<>();
        private String strategyName = "round-robin";
        private Strategy strategy;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private HealthCheck healthCheck;
        private PassiveHealth passiveHealth = PassiveHealth.builder().build();
        private boolean panic;
        private BackendListener listener = new BackendListener() { };
        private Duration drainTimeout = Duration.ofSeconds(30);
        private int maxAttempts = 2;
        private Scheduler scheduler;
        private RateLimitSpec rateLimit;
        private Map<String, String> strategyOptions = Map.of();
        private Duration slowStart = Duration.ZERO;

        private Builder() {
        }

        /**
         * Selects a strategy by name: {@code round-robin} (default), {@code least-connections} (alias
         * {@code least-connection}), or any name a {@code StrategyProvider} plugin registers. An unknown name
         * fails at {@link #start()}, listing the known ones.
         */
        public Builder strategy(String name) {
            Objects.requireNonNull(name, "strategy");
            if (name.isBlank()) {
                throw new IllegalArgumentException("strategy: \"" + name + "\" (expected: a strategy name such as "
                        + "round-robin)");
            }
            this.strategyName = name;
            this.strategy = null;
            this.strategyOptions = Map.of();
            return this;
        }

        /**
         * Selects a strategy by name with options, e.g. {@code strategy("consistent-hash", Map.of("hash_key",
         * "header:X-User"))} or {@code strategy("ewma", Map.of("decay", "5s"))}. An unknown name, an option the
         * strategy does not take or an invalid value fails at {@link #start()}, listing what is expected.
         */
        public Builder strategy(String name, Map<String, String> options) {
            strategy(name);
            this.strategyOptions = Map.copyOf(Objects.requireNonNull(options, "strategy options"));
            return this;
        }

        /**
         * Slow start: a backend added while running or coming back up ramps its weight linearly from a tenth to
         * all of it over this window, for the weight-using strategies (all but round-robin and random); default
         * {@link Duration#ZERO}, off. Backends configured here start at full weight.
         */
        public Builder slowStart(Duration window) {
            this.slowStart = Checks.notNegative("slowStart", window);
            return this;
        }

        /** Uses this strategy instance, e.g. {@code Strategies.leastConnections()} or your own. */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            this.strategyName = null;
            return this;
        }

        /**
         * Adds a backend of weight 1.
         *
         * @throws IllegalArgumentException if the URL is not an absolute http(s) URL, or the backend was added
         */
        public Builder backend(String url) {
            return backend(url, 1);
        }

        /**
         * Adds a backend with a weight (used by weight-aware strategies).
         *
         * @throws IllegalArgumentException if the URL is not an absolute http(s) URL, {@code weight < 1}, or the
         *                                  backend was already added
         */
        public Builder backend(String url, int weight) {
            Backend backend = Backend.of(url, weight);
            Backend previous = backends.putIfAbsent(backend, backend);
            if (previous != null) {
                throw new IllegalArgumentException("backend url: " + backend.url() + " duplicates " + previous.url()
                        + " (expected: each backend once)");
            }
            return this;
        }

        /** Time allowed to open a connection to a backend; default 2s. A timeout answers 504. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive("connectTimeout", timeout);
            return this;
        }

        /**
         * Time allowed from sending a request to receiving the backend's response headers; default 30s. A timeout
         * answers 504.
         */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = Checks.positive("responseTimeout", timeout);
            return this;
        }

        /**
         * Turns on active health checks, configured by {@code settings}, e.g.
         * {@code h -> h.path("/health").interval(Duration.ofSeconds(5))}. Off by default.
         */
        public Builder healthCheck(Consumer<HealthCheck.Builder> settings) {
            HealthCheck.Builder builder = HealthCheck.builder();
            settings.accept(builder);
            this.healthCheck = builder.build();
            return this;
        }

        /** Configures passive health checks (on by default), e.g. {@code p -> p.consecutiveFailures(3)}. */
        public Builder passiveHealth(Consumer<PassiveHealth.Builder> settings) {
            PassiveHealth.Builder builder = PassiveHealth.builder();
            settings.accept(builder);
            this.passiveHealth = builder.build();
            return this;
        }

        /**
         * Panic mode: when no backend is up, send requests to all of them anyway (except those being removed)
         * rather than answer 503. Off by default.
         */
        public Builder panicMode(boolean panic) {
            this.panic = panic;
            return this;
        }

        /** Hears about backend state changes; see {@link BackendListener} for its contract. */
        public Builder listener(BackendListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * How many backends a request may be tried on, in total; default 2. Only a request that reached no backend
         * is tried again (connection refused or connect timeout, no byte sent), on a backend not yet tried, for
         * any method; 1 turns retries off.
         */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = Checks.atLeastOne("maxAttempts", attempts);
            return this;
        }

        /** How long {@link LoadBalancer#removeBackend} lets in-flight requests finish; default 30s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Checks.positive("drainTimeout", timeout);
            return this;
        }

        /** Replaces time and timers, so tests can step through intervals. */
        Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * Limits each client's request rate; off unless called. Replaces an earlier call's settings.
         * <pre>{@code .rateLimit(r -> r.perClient(10, 20).trustedProxies("10.0.0.0/8"))}</pre>
         *
         * @throws IllegalArgumentException if a setting is invalid, or {@code perClient} was not called
         * @see RateLimitSpec
         */
        public Builder rateLimit(Consumer<RateLimitSpec> configure) {
            Objects.requireNonNull(configure, "rateLimit");
            RateLimitSpec spec = new RateLimitSpec();
            configure.accept(spec);
            spec.check();
            this.rateLimit = spec;
            return this;
        }

        /**
         * Checks the configuration and starts the load balancer.
         *
         * @throws IllegalArgumentException if no backend was added or the strategy name is unknown
         * @throws IllegalStateException    if two strategy plugins claim the same name
         */
        public LoadBalancer start() {
            if (backends.isEmpty()) {
                throw new IllegalArgumentException("backends: none (expected: at least one backend)");
            }
            Strategy chosen = strategy != null ? strategy : Strategies.named(strategyName, strategyOptions);
            Scheduler time = scheduler != null ? scheduler : new ThreadScheduler();
            Balancer balancer = new Balancer(chosen, List.copyOf(backends.keySet()), healthCheck, passiveHealth,
                    panic, slowStart, time, listener);
            Forwarder forwarder = new JdkForwarder(connectTimeout, responseTimeout);
            HealthMonitor monitor = null;
            if (healthCheck != null) {
                monitor = new HealthMonitor(balancer, healthCheck, forwarder::probe, time);
                CompletableFuture<Void> firstRound = monitor.start();
                log.atInfo().setMessage("health check scheduler started").addKeyValue("health_check", healthCheck)
                        .log();
                if (healthCheck.waitForFirstRound()) {
                    awaitFirstRound(firstRound, healthCheck.timeout());
                }
            }
            log.atInfo().setMessage("load balancer started").addKeyValue("strategy", chosen)
                    .addKeyValue("backends", backends.keySet()).addKeyValue("connect_timeout", connectTimeout)
                    .addKeyValue("response_timeout", responseTimeout).log();
            return new LoadBalancer(balancer, forwarder, time, monitor, passiveHealth, drainTimeout,
                    rateLimit == null ? null : rateLimit.gate(), maxAttempts);
        }

        private static void awaitFirstRound(CompletableFuture<Void> firstRound, Duration probeTimeout) {
            try {
                // Probes complete within their timeout; the margin covers scheduling.
                firstRound.get(probeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // Unreachable backends simply stay down; nothing to report beyond their state.
            }
        }
    }
}
