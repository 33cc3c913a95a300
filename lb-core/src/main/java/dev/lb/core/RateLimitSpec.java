package dev.lb.core;

import dev.lb.api.RequestInfo;
import dev.lb.core.ratelimit.ClientKeys;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Per-client rate limiting, configured inside {@link LoadBalancer.Builder#rateLimit}:
 * <pre>{@code
 * .rateLimit(r -> r.perClient(10, 20)                 // 10 requests/s, bursts of 20, per client
 *         .trustedProxies("10.0.0.0/8")               // read X-Forwarded-For from these peers only
 *         .maxClients(100_000))
 * }</pre>
 * A client over its limit gets {@code 429 Too Many Requests} with {@code Retry-After}, {@code RateLimit-Policy}
 * and {@code RateLimit}; its request never reaches a backend. Who counts as a client is told by
 * {@link ClientKeys}; the buckets are a {@link TokenBucketLimiter}. Each setter checks its argument and throws
 * {@link IllegalArgumentException} naming the field, the value and what is expected. Not thread-safe.
 */
public final class RateLimitSpec {
    private double rate;
    private int burst;
    private int maxClients = TokenBucketLimiter.DEFAULT_MAX_KEYS;
    private ClientKeys keys = ClientKeys.peerAddress();
    private LongSupplier clock = System::nanoTime;

    RateLimitSpec() {
    }

    /**
     * Required: each client may send {@code burst} requests at once and {@code ratePerSecond} more per second
     * (fractions allowed: 0.5 is one every two seconds).
     *
     * @throws IllegalArgumentException e.g. {@code rate: 0.0 (expected: > 0)}, {@code burst: 0 (expected: >= 1)}
     */
    public RateLimitSpec perClient(double ratePerSecond, int burst) {
        TokenBucketLimiter.checkRate(ratePerSecond, burst);
        this.rate = ratePerSecond;
        this.burst = burst;
        return this;
    }

    /**
     * Peers trusted to report the client's address in {@code X-Forwarded-For} (see {@link #forwardedHeader});
     * default none, so the peer address is the client. Replaces any list set before.
     *
     * @param cidrs addresses or CIDR blocks, e.g. {@code "10.0.0.0/8", "192.168.1.10", "fd00::/8"}
     * @throws IllegalArgumentException e.g. {@code trustedProxies: "10.0.0.0/33" (expected: a prefix length from
     *                                  0 to 32 for IPv4)}
     */
    public RateLimitSpec trustedProxies(String... cidrs) {
        keys = keys.withTrustedProxies(Arrays.asList(cidrs));
        return this;
    }

    /** The header trusted proxies write: {@code X-Forwarded-For} (default) or {@code Forwarded}. */
    public RateLimitSpec forwardedHeader(String name) {
        keys = keys.withForwardedHeader(name);
        return this;
    }

    /**
     * How many clients are tracked at once; default 100,000. When all are still refilling, new clients share one
     * bucket until room appears. Each tracked client costs about 125 bytes of heap (133 for an IPv6 /64).
     */
    public RateLimitSpec maxClients(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxClients: " + max + " (expected: >= 1)");
        }
        this.maxClients = max;
        return this;
    }

    /** How many leading bits of an IPv6 address make one client; default 64, 128 for each address apart. */
    public RateLimitSpec ipv6Prefix(int bits) {
        keys = keys.withIpv6Prefix(bits);
        return this;
    }

    /**
     * Keys clients by this function when it returns a key (an API key, the authenticated user), else by address;
     * see {@link ClientKeys#withKeyFunction}.
     */
    public RateLimitSpec key(Function<RequestInfo, Optional<String>> keyFunction) {
        keys = keys.withKeyFunction(keyFunction);
        return this;
    }

    /** The clock, in nanoseconds as {@link System#nanoTime()} (the default); for tests that step time. */
    public RateLimitSpec clock(LongSupplier nanoTime) {
        this.clock = Objects.requireNonNull(nanoTime, "clock");
        return this;
    }

    /** Checks what the setters cannot: that the limit itself was given. */
    void check() {
        if (burst == 0) {
            throw new IllegalArgumentException("rateLimit perClient: none (expected: perClient(rate, burst) inside "
                    + "rateLimit(...))");
        }
    }

    /** A gate with fresh buckets, one per load balancer started. */
    RateLimitGate gate() {
        return new RateLimitGate(keys, TokenBucketLimiter.of(rate, burst, maxClients, clock));
    }
}
