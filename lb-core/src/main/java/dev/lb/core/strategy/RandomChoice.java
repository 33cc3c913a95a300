package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A uniformly random eligible backend. Weights are ignored. O(1) per pick, no shared state. */
final class RandomChoice implements Strategy {
    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())).acquire();
    }

    @Override
    public String toString() {
        return RandomChoiceProvider.NAME;
    }
}
