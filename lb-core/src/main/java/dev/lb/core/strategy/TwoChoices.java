package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Power of two choices, with the comparison left to the subclass: of two distinct random candidates, the better
 * one. O(1) per pick, and concurrent requests do not all chase the one globally best backend.
 *
 * <p>The choice and the increment are one step: the lease is taken only if the winner's in-flight count is still
 * the one compared; otherwise a fresh pair is drawn. So two requests that compared the same pair at the same moment
 * cannot both land on the winner on the strength of one stale reading.
 */
abstract class TwoChoices implements Strategy {
    private final Supplier<? extends RandomGenerator> random;

    /** @param random the source of draws: {@code ThreadLocalRandom::current}, or a seeded one in simulations */
    TwoChoices(Supplier<? extends RandomGenerator> random) {
        this.random = random;
    }

    @Override
    public final Lease pick(List<Candidate> candidates, RequestInfo request) {
        int size = candidates.size();
        RandomGenerator draws = random.get();
        while (true) {
            Candidate chosen;
            int chosenInFlight;
            if (size == 1) {
                chosen = candidates.get(0);
                chosenInFlight = chosen.inFlight();
            } else {
                int first = draws.nextInt(size);
                int second = draws.nextInt(size - 1);
                if (second >= first) {
                    second++;
                }
                Candidate a = candidates.get(first);
                Candidate b = candidates.get(second);
                int aInFlight = a.inFlight();
                int bInFlight = b.inFlight();
                // On a tie the first draw wins, which is itself random.
                if (better(b, bInFlight, a, aInFlight)) {
                    chosen = b;
                    chosenInFlight = bInFlight;
                } else {
                    chosen = a;
                    chosenInFlight = aInFlight;
                }
            }
            Lease lease = chosen.tryAcquire(chosenInFlight);
            if (lease != null) {
                return lease;
            }
        }
    }

    /** Whether {@code challenger} is strictly better than {@code incumbent}, given their in-flight counts. */
    abstract boolean better(Candidate challenger, int challengerInFlight, Candidate incumbent, int incumbentInFlight);
}
