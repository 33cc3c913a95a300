package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A random eligible backend, each with probability effective weight / total. O(log n) per pick: a binary search
 * over cumulative weights computed once per candidate list, or, while a backend is in slow start, once per pick.
 */
final class WeightedRandom implements Strategy {
    private final Supplier<? extends RandomGenerator> random;
    // Immutable, so a racing rebuild after a pool change only wastes a little work; no lock needed.
    private volatile Cumulative cache = new Cumulative(List.of(), new double[0], false);

    WeightedRandom() {
        this(ThreadLocalRandom::current);
    }

    /** @param random the source of draws: {@code ThreadLocalRandom::current}, or a seeded one in simulations */
    WeightedRandom(Supplier<? extends RandomGenerator> random) {
        this.random = random;
    }

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        Cumulative cumulative = cache;
        if (cumulative.list != candidates || cumulative.ramping) {
            cumulative = Cumulative.of(candidates);
            cache = cumulative;
        }
        double[] ends = cumulative.ends;
        double point = random.get().nextDouble(ends[ends.length - 1]);
        // The first backend whose range [end - weight, end) holds the point: the first end > point.
        int found = Arrays.binarySearch(ends, point);
        int index = found >= 0 ? found + 1 : -found - 1;
        return candidates.get(index).acquire();
    }

    @Override
    public String toString() {
        return WeightedRandomProvider.NAME;
    }

    private static final class Cumulative {
        final List<Candidate> list;
        final double[] ends;
        final boolean ramping; // some weight still below its configured value: rebuild on every pick

        Cumulative(List<Candidate> list, double[] ends, boolean ramping) {
            this.list = list;
            this.ends = ends;
            this.ramping = ramping;
        }

        static Cumulative of(List<Candidate> candidates) {
            double[] ends = new double[candidates.size()];
            double sum = 0;
            boolean ramping = false;
            for (int i = 0; i < ends.length; i++) {
                Candidate candidate = candidates.get(i);
                double weight = candidate.effectiveWeight();
                ramping |= weight < candidate.backend().weight();
                sum += weight;
                ends[i] = sum;
            }
            return new Cumulative(candidates, ends, ramping);
        }
    }
}
