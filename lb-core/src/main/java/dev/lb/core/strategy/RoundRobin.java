package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each eligible backend in turn. Weights are ignored. */
final class RoundRobin implements Strategy {
    // A long sequence never wraps in practice (2^63 picks), so the rotation stays exactly even; an int one
    // would repeat a backend at 2^31 whenever the pool size does not divide 2^32.
    private final AtomicLong sequence;

    RoundRobin() {
        this(0);
    }

    RoundRobin(long firstSequence) {
        sequence = new AtomicLong(firstSequence);
    }

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        return candidates.get(Math.floorMod(sequence.getAndIncrement(), candidates.size())).acquire();
    }

    @Override
    public String toString() {
        return RoundRobinProvider.NAME;
    }
}
