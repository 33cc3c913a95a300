package dev.lb.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * When a request is tried again on another backend. Every retry goes to a backend not yet tried for the request,
 * and nothing is retried once any byte of a response went to the client.
 * <ul>
 *   <li>A request that reached no backend (connection refused, connect timeout) is retried whatever its method.</li>
 *   <li>An idempotent request ({@code GET HEAD OPTIONS PUT DELETE TRACE}) is also retried when the backend reset
 *       or closed the connection, or sent something that is not HTTP, before any response byte, and when it
 *       answered one of {@link #statuses()} (default {@code 502 503 504}). Other methods only with
 *       {@link Builder#nonIdempotent(boolean)}.</li>
 *   <li>A request body is replayed from a buffer of {@link #replayBuffer()} bytes (default 64 KiB); a request
 *       whose body outgrew it is not retried once its body started to flow.</li>
 *   <li>Retries draw on a budget: at most {@link #budgetPercent()}% of requests (default 20) plus
 *       {@link #budgetFloor()} per second (default 10), so retries cannot multiply an outage.</li>
 * </ul>
 * Immutable; configured through {@link LoadBalancer.Builder#retries}.
 */
public final class RetryPolicy {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final int maxAttempts;
    private final Set<Integer> statuses;
    private final boolean nonIdempotent;
    private final int replayBuffer;
    private final int budgetPercent;
    private final int budgetFloor;

    private RetryPolicy(Builder builder) {
        this.maxAttempts = builder.maxAttempts;
        this.statuses = Set.copyOf(builder.statuses);
        this.nonIdempotent = builder.nonIdempotent;
        this.replayBuffer = builder.replayBuffer;
        this.budgetPercent = builder.budgetPercent;
        this.budgetFloor = builder.budgetFloor;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Backends a request may be tried on, in all; 1 means no retries. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Backend statuses that make a retryable request go to another backend. */
    public Set<Integer> statuses() {
        return statuses;
    }

    /** Whether requests of other methods may be retried after they reached a backend. */
    public boolean nonIdempotent() {
        return nonIdempotent;
    }

    /** Request body bytes kept for a replay. */
    public int replayBuffer() {
        return replayBuffer;
    }

    public int budgetPercent() {
        return budgetPercent;
    }

    public int budgetFloor() {
        return budgetFloor;
    }

    /** Whether a request with this method may be retried after it reached a backend. */
    boolean retriesSent(String method) {
        return nonIdempotent || IDEMPOTENT.contains(method);
    }

    @Override
    public String toString() {
        return "RetryPolicy{maxAttempts=" + maxAttempts + ", statuses=" + new TreeSet<>(statuses) + ", nonIdempotent="
                + nonIdempotent + ", replayBuffer=" + replayBuffer + ", budget=" + budgetPercent + "%+"
                + budgetFloor + "/s}";
    }

    /** Settings for a {@link RetryPolicy}; each setter checks its argument and names it in the error. */
    public static final class Builder {
        private int maxAttempts = 2;
        private Set<Integer> statuses = Set.of(502, 503, 504);
        private boolean nonIdempotent;
        private int replayBuffer = 64 * 1024;
        private int budgetPercent = 20;
        private int budgetFloor = 10;

        private Builder() {
        }

        /** Backends a request may be tried on, in all; default 2, and 1 turns retries off. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = Checks.atLeastOne("retries maxAttempts", attempts);
            return this;
        }

        /** Backend statuses retried for idempotent requests; default 502, 503, 504. None: only failures. */
        public Builder statuses(int... codes) {
            Objects.requireNonNull(codes, "statuses");
            for (int code : codes) {
                if (code < 500 || code > 599) {
                    throw new IllegalArgumentException("retries statuses: " + code + " in "
                            + Arrays.toString(codes) + " (expected: 5xx statuses)");
                }
            }
            this.statuses = Set.copyOf(Arrays.stream(codes).boxed().toList());
            return this;
        }

        /**
         * Also retry non-idempotent requests (e.g. {@code POST}) that reached a backend; off by default, because
         * the first backend may have executed the request before it failed.
         */
        public Builder nonIdempotent(boolean retry) {
            this.nonIdempotent = retry;
            return this;
        }

        /** Request body bytes kept for a replay; default 64 KiB. 0: only body-less requests are replayed. */
        public Builder replayBuffer(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("retries replayBuffer: " + bytes + " (expected: >= 0 bytes)");
            }
            this.replayBuffer = bytes;
            return this;
        }

        /**
         * The retry budget: retries at most {@code percent}% of requests plus {@code floorPerSecond} per second;
         * default 20% and 10/s.
         */
        public Builder budget(int percent, int floorPerSecond) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("retries budget percent: " + percent + " (expected: 0..100)");
            }
            if (floorPerSecond < 0) {
                throw new IllegalArgumentException("retries budget floor: " + floorPerSecond
                        + " (expected: >= 0 per second)");
            }
            this.budgetPercent = percent;
            this.budgetFloor = floorPerSecond;
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
