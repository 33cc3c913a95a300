package dev.lb.examples;

import dev.lb.api.Backend;
import dev.lb.core.LoadBalancer;
import dev.lb.core.RateLimitSpec;
import dev.lb.core.strategy.Strategies;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * strategy: "round-robin"     # "least-connections" (or "least-connection"), or any plugin name; default round-robin
 * backends:
 *   - "http://localhost:9001"
 *   - {url: "http://localhost:9002", weight: 3}
 * shutdown_grace: 10s         # how long in-flight requests may finish on SIGTERM; default 10s
 * connect_timeout: 2s         # default 2s
 * response_timeout: 30s       # time to the backend's response headers; default 30s
 * rate_limit:                 # per client; absent: the Go original's 10/s, burst 20
 *   rate: 10                  # requests per second, fractions allowed (0.5)
 *   burst: 20                 # requests a client may send at once
 *   trusted_proxies: []       # peers whose X-Forwarded-For names the client, e.g. ["10.0.0.0/8"]
 *   max_clients: 100000       # clients tracked at once
 *   enabled: true             # false turns rate limiting off
 * }</pre>
 * Durations are whole numbers with a unit, {@code h}, {@code m}, {@code s} or {@code ms}, optionally combined as in
 * {@code 1m30s}. The environment variable {@code LB_PORT} overrides {@code lb_port}, in the same formats. Keys this
 * runner does not know are kept in {@link #unknownKeys()} so the caller can warn about them.
 *
 * <p>Every invalid value fails with an {@link IllegalArgumentException} whose one-line message names the key, the
 * value and what is expected, e.g. {@code backend weight: 0 for http://a (expected: >= 1)}.
 *
 * @param listenAddress   where to accept clients; port 0 picks a free port
 * @param strategy        the strategy name, known to {@link Strategies#named}
 * @param backends        the backends in configuration order, at least one, no duplicates
 * @param shutdownGrace   how long in-flight requests may finish on shutdown, {@code >= 0}
 * @param connectTimeout  time allowed to connect to a backend, {@code > 0}
 * @param responseTimeout time allowed for a backend's response headers, {@code > 0}
 * @param rateLimit       the per-client rate limit, {@link RateLimit#OFF} for none
 * @param unknownKeys     keys that were ignored, e.g. {@code lb_prot} or {@code backends[1].wieght}
 */
public record RunnerConfig(InetSocketAddress listenAddress, String strategy, List<Backend> backends,
                           Duration shutdownGrace, Duration connectTimeout, Duration responseTimeout,
                           RateLimit rateLimit, List<String> unknownKeys) {
    private static final String DEFAULT_PORT = ":3332";
    private static final String DEFAULT_STRATEGY = "round-robin";
    private static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> KEYS = Set.of("lb_port", "strategy", "backends", "shutdown_grace",
            "connect_timeout", "response_timeout", "rate_limit");
    private static final Set<String> RATE_LIMIT_KEYS = Set.of("rate", "burst", "trusted_proxies", "max_clients",
            "enabled");
    /** The library's field names in its messages, and the YAML keys they come from. */
    private static final Map<String, String> RATE_LIMIT_FIELDS = Map.of("rate", "rate", "burst", "burst",
            "trustedProxies", "trusted_proxies", "maxClients", "max_clients");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})(ms|s|m|h)");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    /** Copies the lists and rejects nulls; the values are checked by {@link #parse} and {@link #ofBackends}. */
    public RunnerConfig {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(strategy, "strategy");
        backends = List.copyOf(backends);
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(rateLimit, "rateLimit");
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
        List<Backend> backends = backends(root.get("backends"), unknown);
        Duration grace = duration("shutdown_grace", value(root, "shutdown_grace", DEFAULT_SHUTDOWN_GRACE), true);
        Duration connect = duration("connect_timeout", value(root, "connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                false);
        Duration response = duration("response_timeout", value(root, "response_timeout", DEFAULT_RESPONSE_TIMEOUT),
                false);
        RateLimit rateLimit = rateLimit(value(root, "rate_limit", RateLimit.GO_DEFAULT), unknown);
        return checked(new RunnerConfig(address, strategy, backends, grace, connect, response, rateLimit, unknown));
    }

    /**
     * A {@code round-robin} configuration with default timeouts and no rate limit (a benchmark measures the proxy,
     * not the limiter) for backends given as comma-separated URLs, as in the benchmark rig's {@code BACKENDS}
     * variable. The port comes from {@code LB_PORT}, else {@code PORT}, else
     * {@code :3332}, in the formats of {@code lb_port}.
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
        return checked(new RunnerConfig(address, DEFAULT_STRATEGY, backends, DEFAULT_SHUTDOWN_GRACE,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT, RateLimit.OFF, List.of()));
    }

    /**
     * A load balancer builder set up with this configuration's strategy, backends, timeouts and rate limit; call
     * {@code start()} on it, or add settings first.
     */
    public LoadBalancer.Builder loadBalancerBuilder() {
        LoadBalancer.Builder builder = LoadBalancer.builder()
                .strategy(strategy)
                .connectTimeout(connectTimeout)
                .responseTimeout(responseTimeout);
        backends.forEach(backend -> builder.backend(backend.url(), backend.weight()));
        if (rateLimit.enabled()) {
            builder.rateLimit(rateLimit::applyTo);
        }
        return builder;
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

    /** Applies the library's own checks now, so a bad configuration fails before anything starts. */
    private static RunnerConfig checked(RunnerConfig config) {
        if (config.backends.isEmpty()) {
            throw new IllegalArgumentException("backends: none (expected: at least one backend)");
        }
        Strategies.named(config.strategy); // unknown name: the message lists the known ones
        config.loadBalancerBuilder(); // duplicate backends
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
        String text = value instanceof String s ? s.strip() : "";
        Matcher part = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        try {
            while (part.find() && part.start() == end) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "h" -> Duration.ofHours(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    default -> Duration.ofMillis(amount);
                });
                end = part.end();
            }
        } catch (ArithmeticException e) {
            end = -1;
        }
        if (end != text.length() || text.isEmpty() || (total.isZero() && !zeroAllowed)) {
            throw new IllegalArgumentException(key + ": " + show(value) + expected);
        }
        return total;
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
