package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A random eligible backend, each with probability weight / total weight. O(log n) per pick: a binary search over
 * cumulative weights computed once per candidate list.
 */
final class WeightedRandom implements Strategy {
    // Immutable, so a racing rebuild after a pool change only wastes a little work; no lock needed.
    private volatile Cumulative cache = new Cumulative(List.of(), new long[0]);

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        Cumulative cumulative = cache;
        if (cumulative.list != candidates) {
            cumulative = Cumulative.of(candidates);
            cache = cumulative;
        }
        long[] ends = cumulative.ends;
        long point = ThreadLocalRandom.current().nextLong(ends[ends.length - 1]);
        // The first backend whose range [end - weight, end) holds the point: the first end > point.
        int found = Arrays.binarySearch(ends, point + 1);
        int index = found >= 0 ? found : -found - 1;
        return candidates.get(index).acquire();
    }

    @Override
    public String toString() {
        return WeightedRandomProvider.NAME;
    }

    private static final class Cumulative {
        final List<Candidate> list;
        final long[] ends;

        Cumulative(List<Candidate> list, long[] ends) {
            this.list = list;
            this.ends = ends;
        }

        static Cumulative of(List<Candidate> candidates) {
            long[] ends = new long[candidates.size()];
            long sum = 0;
            for (int i = 0; i < ends.length; i++) {
                sum += candidates.get(i).backend().weight();
                ends[i] = sum;
            }
            return new Cumulative(candidates, ends);
        }
    }
}
