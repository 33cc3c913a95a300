package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Smooth weighted round robin, as nginx does it: each backend gets its weight's share of every cycle of
 * {@code sum(weights)} picks, interleaved rather than in runs (weights 5, 1, 1 give a a b a c a a).
 *
 * <p>Each pick adds every backend's weight to its running score, takes the highest score (the earlier backend on
 * a tie) and subtracts the total weight from it. The scores belong to one candidate list; when the balancer passes
 * a different list (the pool changed) they restart from zero, so the first cycle after a change favours the
 * heaviest backend first, as a fresh start would. The weights are the effective ones, read again on every pick
 * while a backend is in slow start. O(n) per pick under a short lock that guards only that arithmetic; the
 * acquire happens outside it.
 */
final class WeightedRoundRobin implements Strategy {
    private final ReentrantLock lock = new ReentrantLock();
    private List<Candidate> list; // guarded by lock
    private double[] weights;     // guarded by lock
    private double[] scores;      // guarded by lock
    private double total;         // guarded by lock
    private boolean ramping;      // guarded by lock

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        int chosen;
        lock.lock();
        try {
            if (list != candidates) {
                list = candidates;
                weights = new double[candidates.size()];
                scores = new double[candidates.size()];
                loadWeights();
            } else if (ramping) {
                loadWeights();
            }
            chosen = 0;
            for (int i = 0; i < scores.length; i++) {
                scores[i] += weights[i];
                if (scores[i] > scores[chosen]) {
                    chosen = i;
                }
            }
            scores[chosen] -= total;
        } finally {
            lock.unlock();
        }
        return candidates.get(chosen).acquire();
    }

    private void loadWeights() {
        total = 0;
        ramping = false;
        for (int i = 0; i < weights.length; i++) {
            Candidate candidate = list.get(i);
            weights[i] = candidate.effectiveWeight();
            ramping |= weights[i] < candidate.backend().weight();
            total += weights[i];
        }
    }

    @Override
    public String toString() {
        return WeightedRoundRobinProvider.NAME;
    }
}
