package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: of two distinct random backends, the one with fewer requests in flight relative to its
 * weight (lowest (in flight + 1) / weight). Nearly as even as least-connections under load, in O(1) per pick, and
 * concurrent requests do not all chase the one globally idlest backend.
 *
 * <p>The choice and the increment are one step, as in least-connections: the lease is taken only if the winner's
 * count is still the one compared; otherwise a fresh pair is drawn. So two requests that compared the same pair at
 * the same moment cannot both land on the winner on the strength of one stale reading.
 */
final class PowerOfTwoChoices implements Strategy {
    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        int size = candidates.size();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            Candidate chosen;
            int chosenInFlight;
            if (size == 1) {
                chosen = candidates.get(0);
                chosenInFlight = chosen.inFlight();
            } else {
                int first = random.nextInt(size);
                int second = random.nextInt(size - 1);
                if (second >= first) {
                    second++;
                }
                Candidate a = candidates.get(first);
                Candidate b = candidates.get(second);
                int aInFlight = a.inFlight();
                int bInFlight = b.inFlight();
                // On a tie the first draw wins, which is itself random.
                if (Load.lighter(bInFlight, b.backend().weight(), aInFlight, a.backend().weight())) {
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

    @Override
    public String toString() {
        return PowerOfTwoChoicesProvider.NAME;
    }
}
