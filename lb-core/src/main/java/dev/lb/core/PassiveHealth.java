package dev.lb.core;

import java.time.Duration;

/**
 * Passive health checking (outlier detection) on real traffic: after {@code consecutiveFailures} requests in a
 * row fail on a backend (connection refused or timed out, reset, no response in time, and optionally a 5xx), the
 * backend is ejected for {@code baseEjection}, doubled for each repeated ejection up to {@code maxEjection}; the
 * count starts over once the backend has stayed up for {@code maxEjection}. Passive checks never eject more than
 * {@code maxEjectedPercent} of the pool (with the default 50%, at least half stays). When active checks are on,
 * an ejected backend returns only after its ejection time and one passing probe.
 *
 * <p>Immutable; configured through {@link LoadBalancer.Builder#passiveHealth}. On by default.
 */
public final class PassiveHealth {
    private final boolean enabled;
    private final int consecutiveFailures;
    private final Duration baseEjection;
    private final Duration maxEjection;
    private final int maxEjectedPercent;
    private final boolean ejectOn5xx;

    private PassiveHealth(Builder builder) {
        this.enabled = builder.enabled;
        this.consecutiveFailures = builder.consecutiveFailures;
        this.baseEjection = builder.baseEjection;
        this.maxEjection = builder.maxEjection;
        this.maxEjectedPercent = builder.maxEjectedPercent;
        this.ejectOn5xx = builder.ejectOn5xx;
    }

    public boolean enabled() {
        return enabled;
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public Duration baseEjection() {
        return baseEjection;
    }

    public Duration maxEjection() {
        return maxEjection;
    }

    public int maxEjectedPercent() {
        return maxEjectedPercent;
    }

    public boolean ejectOn5xx() {
        return ejectOn5xx;
    }

    /** How long the {@code n}-th consecutive ejection (from 1) lasts: base x 2^(n-1), capped. */
    public Duration ejectionTime(int n) {
        Duration time = baseEjection;
        for (int i = 1; i < n && time.compareTo(maxEjection) < 0; i++) {
            time = time.multipliedBy(2);
        }
        return time.compareTo(maxEjection) > 0 ? maxEjection : time;
    }

    /** A builder with the defaults listed on {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings for {@link PassiveHealth}. Defaults: on, 5 consecutive failures, 30s base ejection, 300s maximum,
     * at most 50% of the pool ejected, 5xx responses not counted.
     */
    public static final class Builder {
        private boolean enabled = true;
        private int consecutiveFailures = 5;
        private Duration baseEjection = Duration.ofSeconds(30);
        private Duration maxEjection = Duration.ofSeconds(300);
        private int maxEjectedPercent = 50;
        private boolean ejectOn5xx;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder consecutiveFailures(int failures) {
            this.consecutiveFailures = Checks.atLeastOne("passive consecutiveFailures", failures);
            return this;
        }

        public Builder baseEjection(Duration time) {
            this.baseEjection = Checks.positive("passive baseEjection", time);
            return this;
        }

        public Builder maxEjection(Duration time) {
            this.maxEjection = Checks.positive("passive maxEjection", time);
            return this;
        }

        public Builder maxEjectedPercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("passive maxEjectedPercent: " + percent
                        + " (expected: 0 to 100)");
            }
            this.maxEjectedPercent = percent;
            return this;
        }

        /** Whether 5xx responses count as failures too (off by default: a 5xx is often the application's answer). */
        public Builder ejectOn5xx(boolean eject) {
            this.ejectOn5xx = eject;
            return this;
        }

        /** The settings, checked. */
        public PassiveHealth build() {
            if (maxEjection.compareTo(baseEjection) < 0) {
                throw new IllegalArgumentException("passive maxEjection: " + maxEjection
                        + " (expected: >= baseEjection " + baseEjection + ")");
            }
            return new PassiveHealth(this);
        }
    }
}
