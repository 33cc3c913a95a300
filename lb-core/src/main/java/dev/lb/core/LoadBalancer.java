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
import dev.lb.core.internal.RetryBudget;
import dev.lb.core.internal.Scheduler;
import dev.lb.core.internal.ThreadScheduler;
import dev.lb.core.proxy.Attempt;
import dev.lb.core.proxy.Forwarder;
import dev.lb.core.proxy.Http1Forwarder;
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
import java.util.concurrent.atomic.AtomicInteger;
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
    private final RetryPolicy retries;
    private final RetryBudget budget;
    private final int maxInFlight;
    private final int maxInFlightPerBackend;
    private final long maxRequestBody; // -1: no limit
    private final Duration requestTimeout; // null: no deadline
    private final AtomicInteger inFlight = new AtomicInteger();
    private final TrafficStats stats = new TrafficStats();
    private final ReentrantLock listenersLock = new ReentrantLock();
    private volatile RequestListener[] requestListeners = new RequestListener[0];
    private volatile boolean closed;

    private LoadBalancer(Builder settings, Balancer balancer, Forwarder forwarder, Scheduler scheduler,
                         HealthMonitor monitor) {
        this.balancer = balancer;
        this.forwarder = forwarder;
        this.scheduler = scheduler;
        this.monitor = monitor;
        this.passive = settings.passiveHealth;
        this.drainTimeout = settings.drainTimeout;
        this.rateLimit = settings.rateLimit == null ? null : settings.rateLimit.gate();
        this.retries = settings.retries;
        this.budget = new RetryBudget(retries.budgetPercent(), retries.budgetFloor(), scheduler);
        this.maxInFlight = settings.maxInFlight;
        this.maxInFlightPerBackend = settings.maxInFlightPerBackend;
        this.maxRequestBody = settings.maxRequestBody;
        this.requestTimeout = settings.requestTimeout;
    }

    /** A builder with the defaults: {@code round-robin}, connect timeout 2s, response timeout 30s. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Proxies one exchange: picks a backend, forwards the request, relays the response, and tries another backend
     * when the {@link RetryPolicy} allows. Answers on its own behalf, with a one-line text body:
     * {@code 429} (rate limited, before any pick), {@code 503} with {@code Retry-After} (no backend eligible, a
     * concurrency limit reached, or closed), {@code 413} (body over the limit), {@code 400} (a request that cannot
     * be forwarded as received), {@code 502} (backend unreachable or broke the exchange) and {@code 504} (no answer
     * in time).
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
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            stats.overloaded.increment();
            refuse(exchange, start, "overloaded: " + maxInFlight + " requests in flight (the maximum)");
            return;
        }
        try {
            budget.deposit();
            proxy(exchange, start);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void proxy(Exchange exchange, long start) throws IOException {
        if (maxRequestBody >= 0) {
            long declared = declaredBodyLength(exchange);
            if (declared > maxRequestBody) {
                String message = "content too large: the request body is " + declared + " bytes, the limit "
                        + maxRequestBody;
                completed(exchange, null, 413, start, exchange.respondText(413, message, 0));
                return;
            }
        }
        MemberLease lease = closed ? null : balancer.pick(exchange);
        if (lease == null) {
            if (!closed && balancer.saturated()) {
                stats.backendsFull.increment();
                refuse(exchange, start, "overloaded: every backend has " + maxInFlightPerBackend
                        + " requests in flight (the maximum)");
            } else {
                refuse(exchange, start, closed ? "load balancer closed" : "no backend available");
            }
            return;
        }
        // The engine reads a body only when the request has one, so a body-less request costs just the wrapper.
        ReplayableExchange replayable = retries.maxAttempts() > 1 || maxRequestBody >= 0
                ? new ReplayableExchange(exchange, retries.replayBuffer(), maxRequestBody) : null;
        Exchange sent = replayable != null ? replayable : exchange;
        long deadline = requestTimeout == null ? Long.MAX_VALUE : start + requestTimeout.toNanos();
        Set<Member> tried = null;
        for (int attempts = 1; ; attempts++) {
            Attempt allowed = attemptFor(exchange, lease, tried, attempts, deadline);
            Outcome outcome = attempt(sent, lease, allowed, start);
            if (outcome.answered()) {
                if (allowed.retrySent() && allowed.retryStatuses().isEmpty()
                        && outcome.failure() == Outcome.Failure.NONE && retries.statuses().contains(outcome.status())) {
                    stats.budgetExhausted.increment(); // passed on as it is only because the budget was spent
                }
                return;
            }
            if (tried == null) {
                tried = new HashSet<>();
            }
            tried.add(lease.member());
            MemberLease next = (replayable == null || replayable.rewind()) ? balancer.pickAnother(exchange, tried)
                    : null;
            if (next != null && !budget.tryWithdraw()) {
                next.release();
                next = null;
                stats.budgetExhausted.increment();
            }
            if (next == null) {
                long bytes = exchange.respondText(outcome.status(), outcome.message(),
                        Math.max(0, outcome.retryAfter()));
                completed(exchange, lease.backend(), outcome.status(), start, bytes);
                return;
            }
            stats.retried(outcome.failure());
            log.atDebug().setMessage("retrying on another backend").addKeyValue("failed", lease.backend())
                    .addKeyValue("next", next.backend()).addKeyValue("status", outcome.status())
                    .addKeyValue("detail", outcome.detail()).log();
            lease = next;
        }
    }

    /**
     * What the next attempt may leave unanswered for a retry: nothing when no retry could follow it. With the budget
     * spent, failures still come back (to be counted and answered) but a retryable status is passed on as it is.
     */
    private Attempt attemptFor(Exchange exchange, MemberLease lease, Set<Member> tried, int attempts, long deadline) {
        if (attempts >= retries.maxAttempts() || deadline - System.nanoTime() <= 0) {
            return new Attempt(false, false, Set.of(), deadline);
        }
        Set<Member> excluded = tried == null ? Set.of(lease.member()) : with(tried, lease.member());
        if (!balancer.hasAnother(excluded)) {
            return new Attempt(false, false, Set.of(), deadline);
        }
        boolean sent = retries.retriesSent(exchange.method());
        return new Attempt(true, sent, sent && budget.available() ? retries.statuses() : Set.of(), deadline);
    }

    private static Set<Member> with(Set<Member> tried, Member member) {
        Set<Member> more = new HashSet<>(tried);
        more.add(member);
        return more;
    }

    /** The request body's declared length: its Content-Length, -1 when chunked (or unparseable), 0 when none. */
    private static long declaredBodyLength(Exchange exchange) {
        if (!exchange.headers("Transfer-Encoding").isEmpty()) {
            return -1;
        }
        List<String> lengths = exchange.headers("Content-Length");
        if (lengths.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(lengths.get(0).strip());
        } catch (NumberFormatException e) {
            return -1; // the forwarder answers 400 naming it
        }
    }

    private void refuse(Exchange exchange, long start, String reason) throws IOException {
        log.atDebug().setMessage("request refused").addKeyValue("reason", reason)
                .addKeyValue("client", exchange.remoteAddress()).log();
        completed(exchange, null, 503, start, exchange.respondText(503, reason, balancer.retryAfterSeconds()));
    }

    /** One forwarding attempt on the leased backend; tells listeners unless it was left unanswered for a retry. */
    private Outcome attempt(Exchange exchange, MemberLease lease, Attempt attempt, long start) throws IOException {
        Outcome outcome = null;
        long attemptStart = scheduler.nanoTime();
        try {
            outcome = forwarder.forward(exchange, lease.backend(), attempt);
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
                if (outcome.status() == 503 && outcome.retryAfter() > 0) {
                    balancer.backOff(member, outcome.retryAfter());
                } else if (outcome.status() >= 500 && passive.ejectOn5xx()) {
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

    /** One backend's state now, or empty when it is not in the pool; constant time, for per-backend gauges. */
    public Optional<BackendState> backendState(Backend backend) {
        Member member = balancer.member(Objects.requireNonNull(backend, "backend"));
        return member == null ? Optional.empty() : Optional.of(member.state());
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

    /** Counters of retries and of requests refused by a concurrency limit. */
    public TrafficStats trafficStats() {
        return stats;
    }

    /** Requests being handled now, the number {@link Builder#maxInFlight} bounds. */
    public int inFlight() {
        return inFlight.get();
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
        private static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
        private static final int DEFAULT_MAX_IN_FLIGHT = 2048;
        private static final int DEFAULT_MAX_IN_FLIGHT_PER_BACKEND = 1024;

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
        private RetryPolicy retries = RetryPolicy.builder().build();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxInFlightPerBackend = DEFAULT_MAX_IN_FLIGHT_PER_BACKEND;
        private long maxRequestBody = -1;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration requestTimeout;
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
         * When requests are tried again on another backend, e.g. {@code r -> r.maxAttempts(3).statuses(503)};
         * see {@link RetryPolicy} for what is retried and the defaults (2 attempts; 502, 503, 504 for idempotent
         * methods; 64 KiB replay buffer; budget 20% + 10/s). Replaces an earlier call's settings.
         */
        public Builder retries(Consumer<RetryPolicy.Builder> settings) {
            RetryPolicy.Builder builder = RetryPolicy.builder();
            settings.accept(builder);
            this.retries = builder.build();
            return this;
        }

        /**
         * Requests handled at once, in all; over it a request is answered {@code 503} with {@code Retry-After} at
         * once. Default 2,048: with virtual threads nothing else bounds concurrency, and each request in flight
         * holds buffers (16 KiB, plus up to the replay buffer for a body).
         */
        public Builder maxInFlight(int requests) {
            this.maxInFlight = Checks.atLeastOne("maxInFlight", requests);
            return this;
        }

        /**
         * Requests one backend may have in flight; a full backend is passed over, and when every eligible backend
         * is full the request is answered {@code 503} with {@code Retry-After}. Default 1,024.
         */
        public Builder maxInFlightPerBackend(int requests) {
            this.maxInFlightPerBackend = Checks.atLeastOne("maxInFlightPerBackend", requests);
            return this;
        }

        /**
         * Largest request body accepted; a larger one is answered {@code 413}, at once when its
         * {@code Content-Length} says so, else when the limit is crossed (the backend request is then aborted).
         * No limit by default.
         */
        public Builder maxRequestBody(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxRequestBody: " + bytes + " (expected: >= 0 bytes)");
            }
            this.maxRequestBody = bytes;
            return this;
        }

        /**
         * Time a backend may go silent while sending a response body, or stop taking the request's bytes; default
         * 60s. A silent response drops the client connection, since the response cannot be completed; a backend
         * that stopped reading the request has its connection closed, and the client gets {@code 504}.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Checks.positive("idleTimeout", timeout);
            return this;
        }

        /**
         * Deadline for the whole request, from its arrival to the end of its response, across retries; none by
         * default. Past it, a request without response headers is answered {@code 504}, and one whose response is
         * streaming has its connection dropped.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.positive("requestTimeout", timeout);
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
            Balancer balancer = new Balancer(chosen, List.copyOf(backends.keySet()), new Balancer.Settings(healthCheck,
                    passiveHealth, panic, maxInFlightPerBackend, slowStart, listener), time);
            Forwarder forwarder = new Http1Forwarder(connectTimeout, responseTimeout, idleTimeout);
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
                    .addKeyValue("response_timeout", responseTimeout).addKeyValue("idle_timeout", idleTimeout)
                    .addKeyValue("retries", retries).addKeyValue("max_in_flight", maxInFlight).log();
            return new LoadBalancer(this, balancer, forwarder, time, monitor);
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
