package dev.lb.core;

import dev.lb.core.ratelimit.ClientKeys;
import dev.lb.core.ratelimit.TokenBucketLimiter;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a request or answers it {@code 429}. The header fields follow draft-ietf-httpapi-ratelimit-headers-11
 * (structured fields; unchanged in this respect since draft 08): {@code RateLimit-Policy} states the bucket as
 * {@code q} = burst requests per {@code w} = the seconds an empty bucket takes to refill (a client that keeps
 * within that is never limited), and {@code RateLimit} on a {@code 429} says none is left ({@code r=0}) for
 * {@code t} seconds, the same as {@code Retry-After}. Thread-safe.
 */
final class RateLimitGate {
    private static final Logger log = LoggerFactory.getLogger(RateLimitGate.class);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final String POLICY_NAME = "\"default\"";

    private final ClientKeys keys;
    private final TokenBucketLimiter limiter;
    private final String policy;

    RateLimitGate(ClientKeys keys, TokenBucketLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
        this.policy = POLICY_NAME + ";q=" + limiter.burst() + ";w=" + seconds(limiter.refillNanos());
        log.atInfo().setMessage("rate limiting per client").addKeyValue("rate", limiter.rate())
                .addKeyValue("burst", limiter.burst()).addKeyValue("max_clients", limiter.maxKeys())
                .addKeyValue("client_keys", keys).log();
    }

    /**
     * Takes a token for the request's client and returns -1, or answers {@code 429} and returns the body bytes
     * sent.
     *
     * @throws IOException if the 429 could not be sent
     */
    long admit(Exchange exchange) throws IOException {
        String client = keys.key(exchange);
        long wait = limiter.tryAcquire(client);
        if (wait == 0) {
            return -1;
        }
        long retryAfter = seconds(wait);
        log.atDebug().setMessage("rate limited").addKeyValue("client", client)
                .addKeyValue("retry_after_s", retryAfter).log();
        return exchange.respondText(429, "too many requests", retryAfter, Map.of(
                "RateLimit-Policy", policy,
                "RateLimit", POLICY_NAME + ";r=0;t=" + retryAfter));
    }

    TokenBucketLimiter.Stats stats() {
        return limiter.stats();
    }

    /** Whole seconds, rounded up and at least 1, as Retry-After and the draft's {@code t} and {@code w} want. */
    private static long seconds(long nanos) {
        return Math.max(1, (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }
}
