package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backend with the fewest requests in flight relative to its weight: the lowest (in flight + 1) / weight, so a
 * backend of weight 3 carries three times the requests of a backend of weight 1. With equal weights this is simply
 * the fewest requests in flight. The weight is {@link Candidate#effectiveWeight()}, so slow start applies.
 *
 * <p>The choice and the increment are one step: the lease is taken only if the chosen backend's count is still
 * the one the choice was based on, else the scan repeats. A burst of concurrent requests therefore spreads across
 * the pool instead of piling onto the backend that looked idlest to all of them. Ties go to the first backend at
 * or after a rotating start, so equal backends share traffic. O(n) per pick.
 */
final class LeastConnections implements Strategy {
    private final AtomicLong rotation = new AtomicLong();

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        int size = candidates.size();
        int start = Math.floorMod(rotation.getAndIncrement(), size);
        while (true) {
            Candidate best = null;
            int bestInFlight = 0;
            double bestWeight = 0;
            for (int i = 0; i < size; i++) {
                Candidate candidate = candidates.get((start + i) % size);
                int inFlight = candidate.inFlight();
                double weight = candidate.effectiveWeight();
                if (best == null || Load.lighter(inFlight, weight, bestInFlight, bestWeight)) {
                    best = candidate;
                    bestInFlight = inFlight;
                    bestWeight = weight;
                }
            }
            Lease lease = best.tryAcquire(bestInFlight);
            if (lease != null) {
                return lease;
            }
        }
    }

    @Override
    public String toString() {
        return LeastConnectionsProvider.NAME;
    }
}
