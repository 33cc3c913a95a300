package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lb.api.Backend;
import dev.lb.api.spi.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final List<Candidate> pool = FakeCandidate.pool(3);

    @Test
    void spreadsExactlyEvenlyInConfigurationOrder() {
        RoundRobin strategy = new RoundRobin();
        Map<Backend, Integer> picks = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            Backend picked = strategy.pick(pool, FakeCandidate.REQUEST).backend();
            assertEquals(pool.get(i % 3).backend(), picked, "pick " + i);
            picks.merge(picked, 1, Integer::sum);
        }
        assertEquals(Map.of(pool.get(0).backend(), 100, pool.get(1).backend(), 100, pool.get(2).backend(), 100),
                picks);
    }

    @Test
    void staysEvenPastTwoToTheThirtyOnePicks() {
        RoundRobin strategy = new RoundRobin(Integer.MAX_VALUE - 2);
        Map<Backend, Integer> picks = new HashMap<>();
        Backend previous = null;
        for (int i = 0; i < 300; i++) {
            Backend picked = strategy.pick(pool, FakeCandidate.REQUEST).backend();
            assertNotEquals(previous, picked, "the same backend twice in a row at pick " + i);
            previous = picked;
            picks.merge(picked, 1, Integer::sum);
        }
        assertEquals(List.of(100, 100, 100), List.copyOf(picks.values()));
    }

    @Test
    void countsEachPickInFlight() {
        RoundRobin strategy = new RoundRobin();
        for (int i = 0; i < 6; i++) {
            strategy.pick(pool, FakeCandidate.REQUEST);
        }
        for (Candidate candidate : pool) {
            assertEquals(2, candidate.inFlight(), candidate.backend().url());
        }
    }

    @Test
    void followsThePoolWhenItShrinks() {
        RoundRobin strategy = new RoundRobin();
        List<Candidate> two = pool.subList(0, 2);
        Map<Backend, Integer> picks = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            picks.merge(strategy.pick(two, FakeCandidate.REQUEST).backend(), 1, Integer::sum);
        }
        assertEquals(Map.of(pool.get(0).backend(), 5, pool.get(1).backend(), 5), picks);
    }
}
