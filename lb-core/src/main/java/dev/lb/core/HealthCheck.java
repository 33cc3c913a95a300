package dev.lb.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Active health checking: a {@code GET} of a path on every backend at an interval. A backend goes {@code DOWN}
 * after {@code fall} consecutive failed probes and comes back {@code UP} after {@code rise} consecutive passing
 * ones. A probe passes when it gets a status in the healthy range within the timeout; connection errors and
 * timeouts fail it. Probes of different backends are spread by a jitter of up to 10% of the interval, run
 * without blocking request handling, one at a time per backend, on a thread named {@code lb-health-0}.
 *
 * <p>Immutable; configured through {@link LoadBalancer.Builder#healthCheck}.
 */
public final class HealthCheck {
    private final String path;
    private final Duration interval;
    private final Duration timeout;
    private final int rise;
    private final int fall;
    private final int minHealthyStatus;
    private final int maxHealthyStatus;
    private final boolean waitForFirstRound;

    private HealthCheck(Builder builder) {
        this.path = builder.path;
        this.interval = builder.interval;
        this.timeout = builder.timeout;
        this.rise = builder.rise;
        this.fall = builder.fall;
        this.minHealthyStatus = builder.minHealthyStatus;
        this.maxHealthyStatus = builder.maxHealthyStatus;
        this.waitForFirstRound = builder.waitForFirstRound;
    }

    /** The path probed, or {@code null} for each backend's own URL path (as the Go original probed). */
    public String path() {
        return path;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int rise() {
        return rise;
    }

    public int fall() {
        return fall;
    }

    /** Whether {@code status} counts as healthy. */
    public boolean healthy(int status) {
        return status >= minHealthyStatus && status <= maxHealthyStatus;
    }

    /** Whether backends start {@code DOWN} and {@code start()} waits for the first round of probes. */
    public boolean waitForFirstRound() {
        return waitForFirstRound;
    }

    @Override
    public String toString() {
        return "HealthCheck[path=" + (path == null ? "(backend's own)" : path) + ", interval=" + interval
                + ", timeout=" + timeout + ", rise=" + rise + ", fall=" + fall + ", healthy=" + minHealthyStatus
                + "-" + maxHealthyStatus + ", waitForFirstRound=" + waitForFirstRound + "]";
    }

    /** A builder with the defaults listed on {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings for {@link HealthCheck}; each setter rejects a bad value at once. Defaults: the backend's own path,
     * interval 5s, timeout 2s, rise 2, fall 3, healthy statuses 200-399, backends up until proven down.
     */
    public static final class Builder {
        private String path;
        private Duration interval = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(2);
        private int rise = 2;
        private int fall = 3;
        private int minHealthyStatus = 200;
        private int maxHealthyStatus = 399;
        private boolean waitForFirstRound;

        private Builder() {
        }

        /** The path to probe, e.g. {@code /health}; it replaces the backend URL's own path. */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/") || !validPath(path)) {
                throw new IllegalArgumentException("health check path: \"" + path + "\" (expected: a URL path"
                        + " starting with /, such as /health)");
            }
            this.path = path;
            return this;
        }

        private static boolean validPath(String path) {
            try {
                URI uri = new URI("http://host" + path);
                return path.equals(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            } catch (URISyntaxException e) {
                return false;
            }
        }

        public Builder interval(Duration interval) {
            this.interval = Checks.positive("health check interval", interval);
            return this;
        }

        /** How long a probe may take, connection included; a probe never outlives it. */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive("health check timeout", timeout);
            return this;
        }

        /** Consecutive passing probes that bring a down backend back. */
        public Builder rise(int rise) {
            this.rise = Checks.atLeastOne("health check rise", rise);
            return this;
        }

        /** Consecutive failing probes that take an up backend down. */
        public Builder fall(int fall) {
            this.fall = Checks.atLeastOne("health check fall", fall);
            return this;
        }

        /** The inclusive range of statuses that pass, e.g. {@code (200, 299)}. */
        public Builder healthyStatuses(int min, int max) {
            if (min < 100 || max > 599 || min > max) {
                throw new IllegalArgumentException("health check healthy statuses: " + min + "-" + max
                        + " (expected: a range within 100-599, low to high)");
            }
            this.minHealthyStatus = min;
            this.maxHealthyStatus = max;
            return this;
        }

        /**
         * {@code true}: backends start {@code DOWN} and {@code start()} returns after the first round of probes
         * (at most one timeout later); {@code false} (default): they start {@code UP} until proven down.
         */
        public Builder waitForFirstRound(boolean wait) {
            this.waitForFirstRound = wait;
            return this;
        }

        /** The settings, checked. */
        public HealthCheck build() {
            return new HealthCheck(this);
        }
    }
}
