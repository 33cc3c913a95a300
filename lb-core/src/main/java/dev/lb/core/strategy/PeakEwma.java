package dev.lb.core.strategy;

import dev.lb.api.spi.Candidate;
import dev.lb.core.internal.LatencyDecay;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Peak-EWMA, as in Finagle and Linkerd: of two distinct random backends (see {@link TwoChoices}), the one with the
 * lower cost = latency × (in flight + 1) / effective weight, where latency is the candidate's peak-EWMA estimate
 * ({@link Candidate#latencyNanos()}). A backend that turns slow is avoided at once (the peak), one that recovers
 * wins its traffic back as the estimate decays, and the in-flight factor keeps the fastest backend from being
 * flooded. While either of the two has no latency yet, they are compared by load alone, as {@code p2c} does, so a
 * new backend is neither flooded nor starved. O(1) per pick.
 *
 * <p>The decay time (default 10s) is how long the estimate takes to forget about two thirds of the past; the load
 * balancer applies it to every backend's estimate.
 */
final class PeakEwma extends TwoChoices implements LatencyDecay {
    private final Duration decay;

    PeakEwma(Duration decay) {
        this(decay, ThreadLocalRandom::current);
    }

    PeakEwma(Duration decay, Supplier<? extends RandomGenerator> random) {
        super(random);
        this.decay = decay;
    }

    @Override
    boolean better(Candidate challenger, int challengerInFlight, Candidate incumbent, int incumbentInFlight) {
        long challengerLatency = challenger.latencyNanos();
        long incumbentLatency = incumbent.latencyNanos();
        double challengerWeight = challenger.effectiveWeight();
        double incumbentWeight = incumbent.effectiveWeight();
        if (challengerLatency == 0 || incumbentLatency == 0) {
            return Load.lighter(challengerInFlight, challengerWeight, incumbentInFlight, incumbentWeight);
        }
        // The costs cross-multiplied by the weights: no division.
        return (double) challengerLatency * (challengerInFlight + 1) * incumbentWeight
                < (double) incumbentLatency * (incumbentInFlight + 1) * challengerWeight;
    }

    @Override
    public Duration latencyDecay() {
        return decay;
    }

    @Override
    public String toString() {
        return PeakEwmaProvider.NAME;
    }
}
