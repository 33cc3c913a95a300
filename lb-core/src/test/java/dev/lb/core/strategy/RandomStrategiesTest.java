package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Strategy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** random and weighted-random: shares within 5% of expected over 100,000 picks (over 10 standard deviations). */
class RandomStrategiesTest {
    private static final int PICKS = 100_000;

    @Test
    void randomSpreadsEvenlyAndIgnoresWeights() {
        List<Candidate> pool = FakeCandidate.weighted(1, 5, 1, 3);
        pickMany(new RandomChoice(), pool);
        for (Candidate candidate : pool) {
            assertNear(PICKS / 4.0, candidate);
        }
    }

    @Test
    void weightedRandomSplitsByWeight() {
        List<Candidate> pool = FakeCandidate.weighted(1, 5, 1, 3);
        pickMany(new WeightedRandom(), pool);
        for (Candidate candidate : pool) {
            assertNear(PICKS * candidate.backend().weight() / 10.0, candidate);
        }
    }

    @Test
    void weightedRandomFollowsANewCandidateList() {
        WeightedRandom strategy = new WeightedRandom();
        List<Candidate> pool = FakeCandidate.weighted(1, 5, 1, 3);
        pickMany(strategy, pool);
        List<Candidate> heavyGone = List.of(pool.get(0), pool.get(2), pool.get(3));
        int[] before = heavyGone.stream().mapToInt(Candidate::inFlight).toArray();
        pickMany(strategy, heavyGone);
        assertEquals(PICKS * 5 / 10.0, pool.get(1).inFlight(), PICKS * 0.05, "the removed backend got no more");
        for (int i = 0; i < heavyGone.size(); i++) {
            double share = heavyGone.get(i).backend().weight() / 5.0;
            int gained = heavyGone.get(i).inFlight() - before[i];
            assertTrue(Math.abs(gained - PICKS * share) <= PICKS * share * 0.05, heavyGone.get(i) + " gained " + gained);
        }
    }

    @Test
    void aSingleBackendAlwaysGetsThePick() {
        List<Candidate> one = FakeCandidate.weighted(7);
        pickMany(new WeightedRandom(), one);
        assertEquals(PICKS, one.get(0).inFlight());
    }

    private static void pickMany(Strategy strategy, List<Candidate> pool) {
        for (int i = 0; i < PICKS; i++) {
            strategy.pick(pool, FakeCandidate.REQUEST);
        }
    }

    private static void assertNear(double expected, Candidate candidate) {
        assertTrue(Math.abs(candidate.inFlight() - expected) <= expected * 0.05,
                candidate.backend() + " got " + candidate.inFlight() + " (expected: " + expected + " +/- 5%)");
    }
}
