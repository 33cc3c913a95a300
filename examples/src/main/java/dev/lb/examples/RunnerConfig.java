package dev.lb.examples;

import dev.lb.api.Backend;
import dev.lb.core.Durations;
import dev.lb.core.LoadBalancer;
import dev.lb.core.RateLimitSpec;
import dev.lb.core.strategy.Strategies;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The standalone runner's configuration, checked: read from the Go original's {@code config.yaml} by
 * {@link #parse}, or from a list of URLs by {@link #ofBackends}.
 *
 * <p>The YAML keys, all but {@code backends} optional:
 * <pre>{@code
 * lb_port: ":3332"            # ":3332" all interfaces, "127.0.0.1:3332" one host, or 3332; default ":3332"
 * strategy: "round-robin"     # or least-connections, weighted-round-robin, random, weighted-random, p2c, ewma,
 *                             # consistent-hash (see the README), or any plugin name; default round-robin
 * strategy_options:           # the strategy's own options, if it takes any; none by default
 *   hash_key: "header:X-User" # consistent-hash: client_address (default), path, header:<name> or cookie:<name>
 *   decay: 10s                # ewma: how fast latency estimates forget; default 10s
 * slow_start: 30s             # a backend that comes (back) up ramps its weight over this time; default 0s, off
 * backends:
 *   - "http://localhost:9001"
 *   - {url: "http://localhost:9002", weight: 3}
 * shutdown_grace: 10s         # how long in-flight requests may finish on SIGTERM; default 10s
 * connect_timeout: 2s         # default 2s
 * response_timeout: 30s       # time to the backend's response headers; default 30s
 * health_check:               # active checks, on by default: a GET of each backend every interval
 *   enabled: true
 *   path: /health             # default: each backend's own URL path, as the Go original probed
 *   interval: 5s
 *   timeout: 2s
 *   rise: 2                   # passing probes in a row that bring a backend back
 *   fall: 3                   # failed probes in a row that take it down
 *   healthy_statuses: "200-399"
 *   wait_for_first_round: false   # true: backends start down, startup waits for the first probes
 * passive:                    # outlier detection on real traffic, on by default
 *   enabled: true
 *   consecutive_failures: 5
 *   base_ejection: 30s        # doubled for each repeated ejection, up to max_ejection
 *   max_ejection: 300s
 *   max_ejected_percent: 50
 *   eject_on_5xx: false
 * panic_mode: false           # true: when no backend is up, try them all rather than answer 503
 * drain_timeout: 30s          # how long a backend removed at run time may finish its requests
 * idle_timeout: 60s           # how long a backend may go silent mid-response
 * request_timeout: 1m         # deadline for a whole request across retries; absent: none
 * max_in_flight: 2048         # requests handled at once; more get 503 at once
 * max_in_flight_per_backend: 1024
 * max_request_body: 10485760  # bytes; larger bodies get 413; absent: no limit
 * retries:                    # see the README's Guarantees section
 *   max_attempts: 2           # backends a request may be tried on, in all; 1: no retries
 *   statuses: [502, 503, 504] # backend answers retried for idempotent methods
 *   non_idempotent: false     # true: also retry POST/PATCH that reached a backend
 *   replay_buffer: 65536      # request body bytes kept for a replay
 *   budget_percent: 20        # retries at most this share of requests...
 *   budget_floor: 10          # ...plus this many per second
 * rate_limit:                 # per client; absent: the Go original's 10/s, burst 20
 *   rate: 10                  # requests per second, fractions allowed (0.5)
 *   burst: 20                 # requests a client may send at once
 *   trusted_proxies: []       # peers whose X-Forwarded-For names the client, e.g. ["10.0.0.0/8"]
 *   max_clients: 100000       # clients tracked at once
 *   enabled: true             # false turns rate limiting off
 * metrics_path: /metrics      # Prometheus text; served on admin_port when set, else on lb_port
 * status_path: /status        # JSON view of the backends, the strategy and the limiter; same place
 * admin_port: "127.0.0.1:9090"  # optional, formats as lb_port: serve the two paths there, proxy them on lb_port
 * access_log: false           # true: one line per request on the logger lb.access
 * }</pre>
 * Durations are whole numbers with a unit, {@code h}, {@code m}, {@code s} or {@code ms}, optionally combined as in
 * {@code 1m30s}. The environment variable {@code LB_PORT} overrides {@code lb_port}, in the same formats. Keys this
 * runner does not know, at the top or inside a block, are kept in {@link #unknownKeys()} so the caller can warn
 * about them.
 *
 * <p>Every invalid value fails with an {@link IllegalArgumentException} whose one-line message names the key, the
 * value and what is expected, e.g. {@code backend weight: 0 for http://a (expected: >= 1)}.
 *
 * @param listenAddress   where to accept clients; port 0 picks a free port
 * @param strategy        the strategy name, known to {@link Strategies#named}
 * @param strategyOptions the strategy's options by name, valid for it; empty for none
 * @param backends        the backends in configuration order, at least one, no duplicates
 * @param shutdownGrace   how long in-flight requests may finish on shutdown, {@code >= 0}
 * @param connectTimeout  time allowed to connect to a backend, {@code > 0}
 * @param responseTimeout time allowed for a backend's response headers, {@code > 0}
 * @param healthCheck     the {@code health_check} block
 * @param passive         the {@code passive} block
 * @param panicMode       whether requests go to every backend when none is up, rather than get {@code 503}
 * @param drainTimeout    how long a backend removed at run time may finish its requests, {@code > 0}
 * @param slowStart       how long a backend that comes up ramps its weight, {@code >= 0}; zero for off
 * @param rateLimit       the per-client rate limit, {@link RateLimit#OFF} for none
 * @param resilience      timeouts, concurrency and body limits, and retries
 * @param observability   the {@code metrics_path}, {@code status_path}, {@code admin_port} and {@code access_log}
 *                        keys
 * @param unknownKeys     keys that were ignored, e.g. {@code lb_prot}, {@code backends[1].wieght} or
 *                        {@code health_check.intervall}
 */
public record RunnerConfig(InetSocketAddress listenAddress, String strategy, Map<String, String> strategyOptions,
                           List<Backend> backends, Duration shutdownGrace, Duration connectTimeout,
                           Duration responseTimeout, HealthCheckSettings healthCheck, PassiveSettings passive,
                           boolean panicMode, Duration drainTimeout, Duration slowStart, RateLimit rateLimit,
                           ResilienceSettings resilience,
                           ObservabilitySettings observability, List<String> unknownKeys) {
    private static final String DEFAULT_PORT = ":3332";
    private static final String DEFAULT_STRATEGY = "round-robin";
    private static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> KEYS = Set.of("lb_port", "strategy", "backends", "shutdown_grace",
            "connect_timeout", "response_timeout", "health_check", "passive", "panic_mode", "drain_timeout",
            "idle_timeout", "request_timeout", "max_in_flight", "max_in_flight_per_backend", "max_request_body",
            "retries", "rate_limit", "metrics_path", "status_path", "admin_port", "access_log", "strategy_options",
            "slow_start");
    private static final Set<String> HEALTH_CHECK_KEYS = Set.of("enabled", "path", "interval", "timeout", "rise",
            "fall", "healthy_statuses", "wait_for_first_round");
    private static final Set<String> PASSIVE_KEYS = Set.of("enabled", "consecutive_failures", "base_ejection",
            "max_ejection", "max_ejected_percent", "eject_on_5xx");
    private static final Set<String> RETRY_KEYS = Set.of("max_attempts", "statuses", "non_idempotent",
            "replay_buffer", "budget_percent", "budget_floor");
    private static final Set<String> RATE_LIMIT_KEYS = Set.of("rate", "burst", "trusted_proxies", "max_clients",
            "enabled");
    /** The library's field names in its messages, and the YAML keys they come from. */
    private static final Map<String, String> RATE_LIMIT_FIELDS = Map.of("rate", "rate", "burst", "burst",
            "trustedProxies", "trusted_proxies", "maxClients", "max_clients");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final Pattern STATUSES = Pattern.compile("(\\d{1,3})(?:\\s*-\\s*(\\d{1,3}))?");

    /**
     * The {@code health_check} block: active checks, a {@code GET} of every backend at an interval. The defaults
     * ({@link #DEFAULTS}) are the library's, turned on, as the Go original always probed.
     *
     * @param enabled           whether active checks run
     * @param path              the path probed; empty for each backend's own URL path
     * @param interval          time between the end of one probe of a backend and the next, {@code > 0}
     * @param timeout           how long a probe may take, {@code > 0}
     * @param rise              passing probes in a row that bring a down backend back, {@code >= 1}
     * @param fall              failed probes in a row that take an up backend down, {@code >= 1}
     * @param minHealthyStatus  the lowest status that passes, from 100
     * @param maxHealthyStatus  the highest status that passes, up to 599
     * @param waitForFirstRound whether backends start down and startup waits for the first round of probes
     */
    public record HealthCheckSettings(boolean enabled, Optional<String> path, Duration interval, Duration timeout,
                                      int rise, int fall, int minHealthyStatus, int maxHealthyStatus,
                                      boolean waitForFirstRound) {
        /** On; each backend's own path every 5s, 2s timeout, rise 2, fall 3, 200-399, backends up at start. */
        public static final HealthCheckSettings DEFAULTS = new HealthCheckSettings(true, Optional.empty(),
                Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 3, 200, 399, false);

        /** Rejects nulls; the values are checked by {@link RunnerConfig#parse}. */
        public HealthCheckSettings {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /**
     * The {@code passive} block: outlier detection on real traffic. The defaults ({@link #DEFAULTS}) are the
     * library's.
     *
     * @param enabled             whether failed requests can eject a backend
     * @param consecutiveFailures failed requests in a row that eject a backend, {@code >= 1}
     * @param baseEjection        how long the first ejection lasts, {@code > 0}
     * @param maxEjection         the cap on the ejection time, which doubles with each repeated ejection,
     *                            {@code >= baseEjection}
     * @param maxEjectedPercent   the largest share of the pool passive checks may eject, 0 to 100
     * @param ejectOn5xx          whether a 5xx answer counts as a failure
     */
    public record PassiveSettings(boolean enabled, int consecutiveFailures, Duration baseEjection,
                                  Duration maxEjection, int maxEjectedPercent, boolean ejectOn5xx) {
        /** On; 5 failures in a row, 30s doubling up to 300s, at most 50% ejected, 5xx not counted. */
        public static final PassiveSettings DEFAULTS = new PassiveSettings(true, 5, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 50, false);

        /** Rejects nulls; the values are checked by {@link RunnerConfig#parse}. */
        public PassiveSettings {
            Objects.requireNonNull(baseEjection, "baseEjection");
            Objects.requireNonNull(maxEjection, "maxEjection");
        }
    }

    /** Copies the lists and rejects nulls; the values are checked by {@link #parse} and {@link #ofBackends}. */
    public RunnerConfig {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(strategy, "strategy");
        strategyOptions = Map.copyOf(strategyOptions);
        backends = List.copyOf(backends);
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(passive, "passive");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(observability, "observability");
        unknownKeys = List.copyOf(unknownKeys);
    }

    /**
     * Reads a configuration in the Go original's {@code config.yaml} format (see the class description).
     *
     * @param yamlText the file's content
     * @param env      the environment; only {@code LB_PORT} is read
     * @throws IllegalArgumentException on a YAML syntax error or an invalid value, with a one-line message
     * @throws IllegalStateException    if two strategy plugins claim the same name
     */
    public static RunnerConfig parse(String yamlText, Map<String, String> env) {
        Map<?, ?> root = asMapping(load(yamlText));
        List<String> unknown = new ArrayList<>();
        root.keySet().stream().map(String::valueOf).filter(key -> !KEYS.contains(key)).forEach(unknown::add);

        InetSocketAddress address = env.containsKey("LB_PORT") ? listenAddress("LB_PORT", env.get("LB_PORT"))
                : listenAddress("lb_port", value(root, "lb_port", DEFAULT_PORT));
        String strategy = strategy(value(root, "strategy", DEFAULT_STRATEGY));
        Map<String, String> strategyOptions = strategyOptions(root.get("strategy_options"));
        List<Backend> backends = backends(root.get("backends"), unknown);
        Duration grace = duration("shutdown_grace", value(root, "shutdown_grace", DEFAULT_SHUTDOWN_GRACE), true);
        Duration connect = duration("connect_timeout", value(root, "connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                false);
        Duration response = duration("response_timeout", value(root, "response_timeout", DEFAULT_RESPONSE_TIMEOUT),
                false);
        HealthCheckSettings healthCheck = healthCheck(block(root, "health_check", HEALTH_CHECK_KEYS, unknown));
        PassiveSettings passive = passive(block(root, "passive", PASSIVE_KEYS, unknown));
        boolean panic = bool("panic_mode", value(root, "panic_mode", false));
        Duration drain = duration("drain_timeout", value(root, "drain_timeout", DEFAULT_DRAIN_TIMEOUT), false);
        Duration slowStart = duration("slow_start", value(root, "slow_start", Duration.ZERO), true);
        RateLimit rateLimit = rateLimit(value(root, "rate_limit", RateLimit.GO_DEFAULT), unknown);
        ResilienceSettings resilience = resilience(root, unknown);
        ObservabilitySettings observability = observability(root, address);
        return checked(new RunnerConfig(address, strategy, strategyOptions, backends, grace, connect, response,
                healthCheck, passive, panic, drain, slowStart, rateLimit, resilience, observability, unknown));
    }

    /**
     * A {@code round-robin} configuration with default timeouts, default health checks (active ones on) and no
     * rate limit (a benchmark measures the proxy, not the limiter) for backends given as comma-separated URLs, as
     * in the benchmark rig's {@code BACKENDS} variable. The port comes from {@code LB_PORT}, else {@code PORT},
     * else {@code :3332}, in the formats of {@code lb_port}.
     *
     * @throws IllegalArgumentException if a URL or the port is invalid, or there is no URL
     * @throws IllegalStateException    if two strategy plugins claim the same name
     */
    public static RunnerConfig ofBackends(String commaSeparatedUrls, Map<String, String> env) {
        List<Backend> backends = new ArrayList<>();
        for (String url : commaSeparatedUrls.split(",")) {
            if (!url.isBlank()) {
                backends.add(Backend.of(url));
            }
        }
        String portKey = env.containsKey("LB_PORT") ? "LB_PORT" : "PORT";
        InetSocketAddress address = listenAddress(portKey, env.getOrDefault(portKey, DEFAULT_PORT));
        return checked(new RunnerConfig(address, DEFAULT_STRATEGY, Map.of(), backends, DEFAULT_SHUTDOWN_GRACE,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, HealthCheckSettings.DEFAULTS,
                PassiveSettings.DEFAULTS, false, DEFAULT_DRAIN_TIMEOUT, Duration.ZERO, RateLimit.OFF,
                ResilienceSettings.DEFAULTS,
                ObservabilitySettings.DEFAULTS, List.of()));
    }

    /**
     * A load balancer builder set up with this configuration's strategy and its options, backends, timeouts,
     * health checks, panic mode, drain timeout, slow start and rate limit; call {@code start()} on it, or add
     * settings first.
     */
    public LoadBalancer.Builder loadBalancerBuilder() {
        LoadBalancer.Builder builder = LoadBalancer.builder()
                .strategy(strategy, strategyOptions)
                .slowStart(slowStart)
                .connectTimeout(connectTimeout)
                .responseTimeout(responseTimeout)
                .passiveHealth(p -> p.enabled(passive.enabled())
                        .consecutiveFailures(passive.consecutiveFailures())
                        .baseEjection(passive.baseEjection())
                        .maxEjection(passive.maxEjection())
                        .maxEjectedPercent(passive.maxEjectedPercent())
                        .ejectOn5xx(passive.ejectOn5xx()))
                .panicMode(panicMode)
                .drainTimeout(drainTimeout);
        if (healthCheck.enabled()) {
            builder.healthCheck(h -> {
                healthCheck.path().ifPresent(h::path);
                h.interval(healthCheck.interval())
                        .timeout(healthCheck.timeout())
                        .rise(healthCheck.rise())
                        .fall(healthCheck.fall())
                        .healthyStatuses(healthCheck.minHealthyStatus(), healthCheck.maxHealthyStatus())
                        .waitForFirstRound(healthCheck.waitForFirstRound());
            });
        }
        backends.forEach(backend -> builder.backend(backend.url(), backend.weight()));
        if (rateLimit.enabled()) {
            builder.rateLimit(rateLimit::applyTo);
        }
        resilience.applyTo(builder);
        return builder;
    }

    /**
     * Timeouts beyond connect and response, concurrency and body limits, and retries; the defaults
     * ({@link #DEFAULTS}) are the library's.
     *
     * @param idleTimeout           how long a backend may go silent mid-response, {@code > 0}
     * @param requestTimeout        the deadline for a whole request, empty for none
     * @param maxInFlight           requests handled at once, {@code >= 1}
     * @param maxInFlightPerBackend requests one backend may have in flight, {@code >= 1}
     * @param maxRequestBody        the largest request body in bytes, empty for no limit
     * @param maxAttempts           backends a request may be tried on, {@code >= 1}
     * @param retryStatuses         backend statuses retried for idempotent requests, each 500-599
     * @param retryNonIdempotent    whether requests of other methods are retried once they reached a backend
     * @param replayBuffer          request body bytes kept for a replay, {@code >= 0}
     * @param budgetPercent         retries at most this percentage of requests, 0 to 100...
     * @param budgetFloor           ...plus this many per second, {@code >= 0}
     */
    public record ResilienceSettings(Duration idleTimeout, Optional<Duration> requestTimeout, int maxInFlight,
                                     int maxInFlightPerBackend, OptionalLong maxRequestBody, int maxAttempts,
                                     List<Integer> retryStatuses, boolean retryNonIdempotent, int replayBuffer,
                                     int budgetPercent, int budgetFloor) {
        /** The library's defaults. */
        public static final ResilienceSettings DEFAULTS = new ResilienceSettings(Duration.ofSeconds(60),
                Optional.empty(), 2048, 1024, OptionalLong.empty(), 2, List.of(502, 503, 504), false, 64 * 1024,
                20, 10);

        /** Copies the list and rejects nulls; the values are checked by {@link RunnerConfig#parse}. */
        public ResilienceSettings {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(maxRequestBody, "maxRequestBody");
            retryStatuses = List.copyOf(retryStatuses);
        }

        void applyTo(LoadBalancer.Builder builder) {
            builder.idleTimeout(idleTimeout).maxInFlight(maxInFlight).maxInFlightPerBackend(maxInFlightPerBackend)
                    .retries(r -> r.maxAttempts(maxAttempts)
                            .statuses(retryStatuses.stream().mapToInt(Integer::intValue).toArray())
                            .nonIdempotent(retryNonIdempotent).replayBuffer(replayBuffer)
                            .budget(budgetPercent, budgetFloor));
            requestTimeout.ifPresent(builder::requestTimeout);
            maxRequestBody.ifPresent(builder::maxRequestBody);
        }
    }

    private static ResilienceSettings resilience(Map<?, ?> root, List<String> unknown) {
        ResilienceSettings d = ResilienceSettings.DEFAULTS;
        Duration idle = duration("idle_timeout", value(root, "idle_timeout", d.idleTimeout()), false);
        Optional<Duration> deadline = root.get("request_timeout") == null ? Optional.empty()
                : Optional.of(duration("request_timeout", root.get("request_timeout"), false));
        int maxInFlight = integer("max_in_flight", value(root, "max_in_flight", d.maxInFlight()), 1,
                Integer.MAX_VALUE);
        int perBackend = integer("max_in_flight_per_backend",
                value(root, "max_in_flight_per_backend", d.maxInFlightPerBackend()), 1, Integer.MAX_VALUE);
        OptionalLong maxBody = OptionalLong.empty();
        if (root.get("max_request_body") != null) {
            Object body = root.get("max_request_body");
            if (!isInteger(body) || ((Number) body).longValue() < 0 || body instanceof BigInteger) {
                throw new IllegalArgumentException("max_request_body: " + show(body)
                        + " (expected: a number of bytes >= 0, such as 10485760)");
            }
            maxBody = OptionalLong.of(((Number) body).longValue());
        }
        Map<?, ?> retries = block(root, "retries", RETRY_KEYS, unknown);
        int attempts = integer("retries.max_attempts", value(retries, "max_attempts", d.maxAttempts()), 1,
                Integer.MAX_VALUE);
        List<Integer> statuses = retryStatuses(value(retries, "statuses", d.retryStatuses()));
        boolean nonIdempotent = bool("retries.non_idempotent",
                value(retries, "non_idempotent", d.retryNonIdempotent()));
        int replay = integer("retries.replay_buffer", value(retries, "replay_buffer", d.replayBuffer()), 0,
                Integer.MAX_VALUE);
        int percent = integer("retries.budget_percent", value(retries, "budget_percent", d.budgetPercent()), 0,
                100);
        int floor = integer("retries.budget_floor", value(retries, "budget_floor", d.budgetFloor()), 0,
                Integer.MAX_VALUE);
        return new ResilienceSettings(idle, deadline, maxInFlight, perBackend, maxBody, attempts, statuses,
                nonIdempotent, replay, percent, floor);
    }

    private static List<Integer> retryStatuses(Object value) {
        String expected = " (expected: a list of 5xx statuses such as [502, 503, 504], or [] for none)";
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("retries.statuses: " + show(value) + expected);
        }
        List<Integer> statuses = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Integer status) || status < 500 || status > 599) {
                throw new IllegalArgumentException("retries.statuses[" + i + "]: " + show(list.get(i)) + expected);
            }
            statuses.add(status);
        }
        return statuses;
    }

    /**
     * The runner's per-client rate limit, {@code rate_limit} in {@code config.yaml}.
     *
     * @param enabled        whether requests are limited at all
     * @param rate           requests per second each client may send, fractions allowed
     * @param burst          requests a client may send at once
     * @param trustedProxies peers whose {@code X-Forwarded-For} names the client: addresses or CIDR blocks
     * @param maxClients     clients tracked at once
     */
    public record RateLimit(boolean enabled, double rate, int burst, List<String> trustedProxies, int maxClients) {
        /** The Go original's limit, hard-coded there: 10 requests/s and bursts of 20 per peer address. */
        public static final RateLimit GO_DEFAULT = new RateLimit(true, 10, 20, List.of(), 100_000);
        /** No rate limiting. */
        public static final RateLimit OFF = new RateLimit(false, 10, 20, List.of(), 100_000);

        /** Copies the list; the values are checked by {@link RunnerConfig#parse}. */
        public RateLimit {
            trustedProxies = List.copyOf(trustedProxies);
        }

        void applyTo(RateLimitSpec spec) {
            spec.perClient(rate, burst).trustedProxies(trustedProxies.toArray(String[]::new)).maxClients(maxClients);
        }
    }

    /**
     * Where the runner shows what it does: {@code metrics_path}, {@code status_path}, {@code admin_port} and
     * {@code access_log} in {@code config.yaml}.
     *
     * @param metricsPath  the path of the Prometheus text, {@code /metrics} by default
     * @param statusPath   the path of the JSON status, {@code /status} by default; differs from {@code metricsPath}
     * @param adminAddress where to serve both paths on a server of their own; empty (the default) to serve them on
     *                     the load balancer's port, as the Go original served {@code /metrics}
     * @param accessLog    whether each request is logged, one line on the logger {@code lb.access}; off by default
     */
    public record ObservabilitySettings(String metricsPath, String statusPath,
                                        Optional<InetSocketAddress> adminAddress, boolean accessLog) {
        /** {@code /metrics} and {@code /status} on the load balancer's port, no access log. */
        public static final ObservabilitySettings DEFAULTS = new ObservabilitySettings("/metrics", "/status",
                Optional.empty(), false);

        /** Rejects nulls; the values are checked by {@link RunnerConfig#parse}. */
        public ObservabilitySettings {
            Objects.requireNonNull(metricsPath, "metricsPath");
            Objects.requireNonNull(statusPath, "statusPath");
            Objects.requireNonNull(adminAddress, "adminAddress");
        }
    }

    private static ObservabilitySettings observability(Map<?, ?> root, InetSocketAddress lbAddress) {
        ObservabilitySettings d = ObservabilitySettings.DEFAULTS;
        String metrics = endpointPath("metrics_path", value(root, "metrics_path", d.metricsPath()));
        String status = endpointPath("status_path", value(root, "status_path", d.statusPath()));
        if (metrics.equals(status)) {
            throw new IllegalArgumentException("status_path: " + show(status)
                    + " (expected: a path other than metrics_path's)");
        }
        Optional<InetSocketAddress> admin = Optional.empty();
        if (root.get("admin_port") != null) {
            InetSocketAddress address = listenAddress("admin_port", root.get("admin_port"));
            if (address.getPort() != 0 && address.getPort() == lbAddress.getPort()) {
                throw new IllegalArgumentException("admin_port: " + show(root.get("admin_port"))
                        + " (expected: a port other than the load balancer's, " + lbAddress.getPort() + ")");
            }
            admin = Optional.of(address);
        }
        boolean accessLog = bool("access_log", value(root, "access_log", d.accessLog()));
        return new ObservabilitySettings(metrics, status, admin, accessLog);
    }

    /** A path the runner serves itself: {@code /} and a plain path, no query, no fragment, no spaces. */
    private static String endpointPath(String key, Object value) {
        if (!(value instanceof String path) || !path.startsWith("/") || path.length() < 2
                || !path.chars().allMatch(c -> c > ' ' && c < 127 && c != '?' && c != '#')) {
            throw new IllegalArgumentException(key + ": " + show(value)
                    + " (expected: a path starting with / such as /metrics, without ? or #)");
        }
        return path;
    }

    /** Applies the library's own checks now, so a bad configuration fails before anything starts. */
    private static RunnerConfig checked(RunnerConfig config) {
        if (config.backends.isEmpty()) {
            throw new IllegalArgumentException("backends: none (expected: at least one backend)");
        }
        try { // unknown name, option or value: the message lists what is expected
            Strategies.named(config.strategy, config.strategyOptions);
        } catch (IllegalArgumentException e) { // the library's messages, with the YAML key
            String message = e.getMessage();
            if (message.startsWith("strategy option: ")) { // an unknown option
                throw new IllegalArgumentException("strategy_options: " + message.substring(17), e);
            }
            if (message.startsWith("strategy option ")) { // a bad value: "strategy option hash_key: ..."
                throw new IllegalArgumentException("strategy_options." + message.substring(16), e);
            }
            throw e;
        }
        config.loadBalancerBuilder(); // duplicate backends, and the library's own health check rules
        return config;
    }

    private static Object load(String yamlText) {
        try {
            return new Load(LoadSettings.builder().build()).loadFromString(yamlText);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark()
                    .map(mark -> " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1))
                    .orElse("");
            throw new IllegalArgumentException("YAML syntax error" + where + ": " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("YAML error: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** The value of {@code key}, or {@code fallback} when absent; a key present without a value gives null. */
    private static Object value(Map<?, ?> root, String key, Object fallback) {
        return root.containsKey(key) ? root.get(key) : fallback;
    }

    private static Map<?, ?> asMapping(Object document) {
        if (document == null) {
            return Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("config: " + show(document)
                    + " (expected: a mapping with lb_port, strategy and backends)");
        }
        return map;
    }

    /** Parses {@code ":3332"}, {@code "127.0.0.1:3332"}, {@code "[::1]:3332"}, {@code "3332"} or {@code 3332}. */
    private static InetSocketAddress listenAddress(String key, Object value) {
        String text = value instanceof String s ? s.strip() : isInteger(value) ? value.toString() : null;
        String expected = " (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)";
        if (text == null) {
            throw new IllegalArgumentException(key + ": " + show(value) + expected);
        }
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, Math.max(colon, 0));
        String portText = text.substring(colon + 1);
        if (!PORT.matcher(portText).matches() || Integer.parseInt(portText) > 65_535) {
            throw new IllegalArgumentException(key + ": " + show(value) + expected);
        }
        int port = Integer.parseInt(portText);
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(key + ": " + show(value) + ": host " + host
                    + " cannot be resolved (expected: an address of this machine, or none for all interfaces)");
        }
        return address;
    }

    private static String strategy(Object value) {
        if (!(value instanceof String name) || name.isBlank()) {
            throw new IllegalArgumentException("strategy: " + show(value) + " (expected: a strategy name such as "
                    + "round-robin or least-connections)");
        }
        return name.strip();
    }

    /** The {@code strategy_options} mapping, each value as text; which names and values are valid is the strategy's. */
    private static Map<String, String> strategyOptions(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("strategy_options: " + show(value)
                    + " (expected: a mapping of the strategy's options, such as {hash_key: \"header:X-User\"})");
        }
        Map<String, String> options = new TreeMap<>();
        map.forEach((name, option) -> {
            if (option == null || option instanceof Map || option instanceof List) {
                throw new IllegalArgumentException("strategy_options." + name + ": " + show(option)
                        + " (expected: a single value such as \"header:X-User\" or 10s)");
            }
            options.put(String.valueOf(name), String.valueOf(option));
        });
        return options;
    }

    private static List<Backend> backends(Object value, List<String> unknown) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("backends: " + show(value) + " (expected: a list of URLs)");
        }
        List<Backend> backends = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            backends.add(backend("backends[" + i + "]", list.get(i), unknown));
        }
        return backends;
    }

    private static Backend backend(String key, Object value, List<String> unknown) {
        if (value instanceof String url) {
            return Backend.of(url);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(key + ": " + show(value)
                    + " (expected: a URL, or {url: \"http://...\", weight: 1})");
        }
        map.keySet().stream().map(String::valueOf).filter(k -> !k.equals("url") && !k.equals("weight"))
                .forEach(k -> unknown.add(key + "." + k));
        if (!(map.get("url") instanceof String url)) {
            throw new IllegalArgumentException(key + ".url: " + show(map.get("url"))
                    + " (expected: an absolute http:// or https:// URL)");
        }
        Object weight = map.containsKey("weight") ? map.get("weight") : 1;
        if (!(weight instanceof Integer)) {
            throw new IllegalArgumentException("backend weight: " + show(weight) + " for " + url
                    + " (expected: an integer from 1 to " + Integer.MAX_VALUE + ")");
        }
        return Backend.of(url, (Integer) weight);
    }

    private static RateLimit rateLimit(Object value, List<String> unknown) {
        if (value instanceof RateLimit absent) { // the default: YAML never yields a RateLimit
            return absent;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("rate_limit: " + show(value)
                    + " (expected: a mapping such as {rate: 10, burst: 20})");
        }
        map.keySet().stream().map(String::valueOf).filter(key -> !RATE_LIMIT_KEYS.contains(key))
                .forEach(key -> unknown.add("rate_limit." + key));
        RateLimit go = RateLimit.GO_DEFAULT;
        Object enabled = value(map, "enabled", Boolean.TRUE);
        if (!(enabled instanceof Boolean)) {
            throw new IllegalArgumentException("rate_limit.enabled: " + show(enabled) + " (expected: true or false)");
        }
        Object rate = value(map, "rate", go.rate());
        if (!(rate instanceof Number) || !(((Number) rate).doubleValue() > 0)) {
            throw new IllegalArgumentException("rate_limit.rate: " + show(rate)
                    + " (expected: a number > 0 such as 10 or 0.5)");
        }
        RateLimit limit = new RateLimit((Boolean) enabled, ((Number) rate).doubleValue(),
                positiveInt("rate_limit.burst", value(map, "burst", go.burst())),
                trustedProxies(value(map, "trusted_proxies", go.trustedProxies())),
                positiveInt("rate_limit.max_clients", value(map, "max_clients", go.maxClients())));
        try {
            LoadBalancer.builder().rateLimit(limit::applyTo);
        } catch (IllegalArgumentException e) { // the library's checks, with the YAML key in the message
            String message = e.getMessage();
            int colon = message.indexOf(':');
            String key = colon < 0 ? null : RATE_LIMIT_FIELDS.get(message.substring(0, colon));
            throw key == null ? e : new IllegalArgumentException("rate_limit." + key + message.substring(colon), e);
        }
        return limit;
    }

    private static int positiveInt(String key, Object value) {
        if (!(value instanceof Integer) || (Integer) value < 1) {
            throw new IllegalArgumentException(key + ": " + show(value) + " (expected: an integer from 1 to "
                    + Integer.MAX_VALUE + ")");
        }
        return (Integer) value;
    }

    private static List<String> trustedProxies(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("rate_limit.trusted_proxies: " + show(value)
                    + " (expected: a list of addresses or CIDR blocks such as [\"10.0.0.0/8\"])");
        }
        List<String> cidrs = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String cidr)) {
                throw new IllegalArgumentException("rate_limit.trusted_proxies[" + i + "]: " + show(list.get(i))
                        + " (expected: an address or CIDR block such as \"10.0.0.0/8\")");
            }
            cidrs.add(cidr);
        }
        return cidrs;
    }

    private static Duration duration(String key, Object value, boolean zeroAllowed) {
        if (value instanceof Duration absent) { // the default: YAML never yields a Duration
            return absent;
        }
        String expected = zeroAllowed ? " (expected: a duration such as 10s, 500ms, 1m or 1m30s)"
                : " (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)";
        Optional<Duration> parsed = value instanceof String text ? Durations.parse(text) : Optional.empty();
        if (parsed.isEmpty() || (parsed.get().isZero() && !zeroAllowed)) {
            throw new IllegalArgumentException(key + ": " + show(value) + expected);
        }
        return parsed.get();
    }

    /**
     * The mapping under {@code key}, empty when the key is absent or has no value; keys it does not know are added
     * to {@code unknown} as {@code key.name}.
     */
    private static Map<?, ?> block(Map<?, ?> root, String key, Set<String> known, List<String> unknown) {
        Object value = root.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(key + ": " + show(value) + " (expected: a mapping of "
                    + String.join(", ", known.stream().sorted().toList()) + ")");
        }
        map.keySet().stream().map(String::valueOf).filter(k -> !known.contains(k))
                .forEach(k -> unknown.add(key + "." + k));
        return map;
    }

    private static HealthCheckSettings healthCheck(Map<?, ?> block) {
        HealthCheckSettings d = HealthCheckSettings.DEFAULTS;
        boolean enabled = bool("health_check.enabled", value(block, "enabled", d.enabled()));
        Optional<String> path = block.containsKey("path") ? Optional.of(path(block.get("path"))) : d.path();
        Duration interval = duration("health_check.interval", value(block, "interval", d.interval()), false);
        Duration timeout = duration("health_check.timeout", value(block, "timeout", d.timeout()), false);
        int rise = integer("health_check.rise", value(block, "rise", d.rise()), 1, Integer.MAX_VALUE);
        int fall = integer("health_check.fall", value(block, "fall", d.fall()), 1, Integer.MAX_VALUE);
        int[] statuses = block.containsKey("healthy_statuses") ? statuses(block.get("healthy_statuses"))
                : new int[] {d.minHealthyStatus(), d.maxHealthyStatus()};
        boolean wait = bool("health_check.wait_for_first_round",
                value(block, "wait_for_first_round", d.waitForFirstRound()));
        return new HealthCheckSettings(enabled, path, interval, timeout, rise, fall, statuses[0], statuses[1], wait);
    }

    private static String path(Object value) {
        String expected = " (expected: a path starting with /, such as /health)";
        if (!(value instanceof String path) || !path.startsWith("/")) {
            throw new IllegalArgumentException("health_check.path: " + show(value) + expected);
        }
        try {
            if (new URI(path).getRawFragment() == null) {
                return path;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw new IllegalArgumentException("health_check.path: " + show(value) + " is not a valid URL path"
                + expected);
    }

    /** Parses {@code "200-399"}, {@code "200"} or {@code 200} into {@code {min, max}}. */
    private static int[] statuses(Object value) {
        String text = value instanceof String s ? s.strip() : value instanceof Integer ? value.toString() : "";
        Matcher range = STATUSES.matcher(text);
        if (range.matches()) {
            int min = Integer.parseInt(range.group(1));
            int max = range.group(2) == null ? min : Integer.parseInt(range.group(2));
            if (min >= 100 && max <= 599 && min <= max) {
                return new int[] {min, max};
            }
        }
        throw new IllegalArgumentException("health_check.healthy_statuses: " + show(value)
                + " (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)");
    }

    private static PassiveSettings passive(Map<?, ?> block) {
        PassiveSettings d = PassiveSettings.DEFAULTS;
        boolean enabled = bool("passive.enabled", value(block, "enabled", d.enabled()));
        int failures = integer("passive.consecutive_failures",
                value(block, "consecutive_failures", d.consecutiveFailures()), 1, Integer.MAX_VALUE);
        Duration base = duration("passive.base_ejection", value(block, "base_ejection", d.baseEjection()), false);
        Duration max = duration("passive.max_ejection", value(block, "max_ejection", d.maxEjection()), false);
        int percent = integer("passive.max_ejected_percent",
                value(block, "max_ejected_percent", d.maxEjectedPercent()), 0, 100);
        boolean on5xx = bool("passive.eject_on_5xx", value(block, "eject_on_5xx", d.ejectOn5xx()));
        if (max.compareTo(base) < 0) {
            // Blame the key the user wrote; when both are written, the cap.
            throw block.containsKey("max_ejection")
                    ? new IllegalArgumentException("passive.max_ejection: " + show(block.get("max_ejection"))
                            + " (expected: at least passive.base_ejection, " + text(base) + ")")
                    : new IllegalArgumentException("passive.base_ejection: " + show(block.get("base_ejection"))
                            + " (expected: at most passive.max_ejection, " + text(max) + ")");
        }
        return new PassiveSettings(enabled, failures, base, max, percent, on5xx);
    }

    private static boolean bool(String key, Object value) {
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException(key + ": " + show(value) + " (expected: true or false)");
        }
        return b;
    }

    private static int integer(String key, Object value, int min, int max) {
        if (!(value instanceof Integer i) || i < min || i > max) {
            throw new IllegalArgumentException(key + ": " + show(value) + " (expected: an integer "
                    + (max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max) + ")");
        }
        return i;
    }

    /** A duration as it would be written in the file: {@code 300s}, {@code 1500ms}. */
    private static String text(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    private static boolean isInteger(Object value) {
        return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    }

    /** A value as it appeared in the YAML: strings quoted, so an empty or blank one is visible. */
    private static String show(Object value) {
        if (value instanceof String) {
            return "\"" + value + "\"";
        }
        return value == null ? "none" : value instanceof Map ? "a mapping" : value instanceof List ? "a list"
                : value.toString();
    }
}
