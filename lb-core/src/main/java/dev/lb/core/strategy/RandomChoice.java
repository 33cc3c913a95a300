package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** A uniformly random eligible backend. Weights are ignored. O(1) per pick, no shared state. */
final class RandomChoice implements Strategy {
    private final Supplier<? extends RandomGenerator> random;

    RandomChoice() {
        this(ThreadLocalRandom::current);
    }

    /** @param random the source of draws: {@code ThreadLocalRandom::current}, or a seeded one in simulations */
    RandomChoice(Supplier<? extends RandomGenerator> random) {
        this.random = random;
    }

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        return candidates.get(random.get().nextInt(candidates.size())).acquire();
    }

    @Override
    public String toString() {
        return RandomChoiceProvider.NAME;
    }
}
