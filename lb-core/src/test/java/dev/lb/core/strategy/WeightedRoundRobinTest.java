package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lb.api.spi.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {
    private final WeightedRoundRobin strategy = new WeightedRoundRobin();

    @Test
    void weightsFiveOneOneInterleaveAsNginxDoes() {
        List<Candidate> pool = FakeCandidate.weighted(5, 1, 1);
        assertEquals("aabacaa".repeat(3), picks(pool, 21));
    }

    @Test
    void equalWeightsAreAPlainRotation() {
        assertEquals("abcabcabc", picks(FakeCandidate.weighted(2, 2, 2), 9));
    }

    @Test
    void eachCycleGivesEveryBackendExactlyItsWeight() {
        List<Candidate> pool = FakeCandidate.weighted(3, 1, 4, 2);
        String cycle = picks(pool, 10);
        assertEquals(List.of(3L, 1L, 4L, 2L), List.of(count(cycle, 'a'), count(cycle, 'b'), count(cycle, 'c'),
                count(cycle, 'd')));
        for (Candidate candidate : pool) {
            assertEquals(candidate.backend().weight(), candidate.inFlight(), candidate.backend().url());
        }
    }

    @Test
    void aNewCandidateListStartsAFreshCycleOverTheBackendsStillThere() {
        List<Candidate> pool = FakeCandidate.weighted(5, 1, 1);
        picks(pool, 3);
        List<Candidate> withoutB = List.of(pool.get(0), pool.get(2)); // b went down
        String after = picks(withoutB, 12);
        assertEquals("aaacaa".repeat(2), after);
    }

    private String picks(List<Candidate> pool, int count) {
        StringBuilder sequence = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int port = strategy.pick(pool, FakeCandidate.REQUEST).backend().uri().getPort();
            sequence.append((char) ('a' + port - 9001));
        }
        return sequence.toString();
    }

    private static long count(String sequence, char letter) {
        return sequence.chars().filter(c -> c == letter).count();
    }
}
