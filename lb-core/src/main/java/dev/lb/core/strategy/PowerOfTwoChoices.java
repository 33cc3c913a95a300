package dev.lb.core.strategy;

import dev.lb.api.spi.Candidate;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Power of two choices: of two distinct random backends, the one with fewer requests in flight relative to its
 * effective weight (the lowest (in flight + 1) / weight, so weights and slow start apply). Nearly as even as
 * least-connections under load, in O(1) per pick; atomic like it (see {@link TwoChoices}).
 */
final class PowerOfTwoChoices extends TwoChoices {
    PowerOfTwoChoices() {
        this(ThreadLocalRandom::current);
    }

    PowerOfTwoChoices(Supplier<? extends RandomGenerator> random) {
        super(random);
    }

    @Override
    boolean better(Candidate challenger, int challengerInFlight, Candidate incumbent, int incumbentInFlight) {
        return Load.lighter(challengerInFlight, challenger.effectiveWeight(), incumbentInFlight,
                incumbent.effectiveWeight());
    }

    @Override
    public String toString() {
        return PowerOfTwoChoicesProvider.NAME;
    }
}
