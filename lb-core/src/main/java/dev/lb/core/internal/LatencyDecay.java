package dev.lb.core.internal;

import java.time.Duration;

/**
 * Implemented by a strategy that sets how fast the members' latency estimates forget ({@link Member#latencyNanos}).
 * The balancer asks once, at construction; without it the decay time is {@link #DEFAULT}.
 */
public interface LatencyDecay {
    /** The decay time unless a strategy sets another: Finagle's default. */
    Duration DEFAULT = Duration.ofSeconds(10);

    /** The time constant of the latency estimates' decay, {@code > 0}. */
    Duration latencyDecay();
}
