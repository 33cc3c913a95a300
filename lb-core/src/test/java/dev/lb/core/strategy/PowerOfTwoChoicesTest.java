package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.spi.Candidate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesTest {
    private final PowerOfTwoChoices strategy = new PowerOfTwoChoices();

    @Test
    void ofTwoBackendsTheOneWithFewerInFlightWins() {
        List<Candidate> pool = FakeCandidate.pool(2);
        ((FakeCandidate) pool.get(0)).inFlight.set(4);
        for (int i = 0; i < 4; i++) {
            assertEquals(pool.get(1).backend(), strategy.pick(pool, FakeCandidate.REQUEST).backend());
        }
        assertEquals(4, pool.get(1).inFlight());
    }

    @Test
    void neverPicksTheBusiestOfManyBackends() {
        // The busiest backend loses to whichever other backend it is paired with.
        List<Candidate> pool = FakeCandidate.pool(5);
        ((FakeCandidate) pool.get(3)).inFlight.set(1_000_000);
        for (int i = 0; i < 10_000; i++) {
            Candidate picked = pool.get(strategy.pick(pool, FakeCandidate.REQUEST).backend().uri().getPort() - 9001);
            ((FakeCandidate) picked).release();
            assertTrue(picked != pool.get(3), "picked the busiest backend");
        }
    }

    @Test
    void aConcurrentBurstSpreadsAcrossThePool() throws Exception {
        List<Candidate> pool = FakeCandidate.pool(8);
        int threads = 32;
        int picksPerThread = 250; // held, never released: 8,000 in flight, 1,000 per backend if perfectly even
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < picksPerThread; i++) {
                        strategy.pick(pool, FakeCandidate.REQUEST);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        int max = pool.stream().mapToInt(Candidate::inFlight).max().orElseThrow();
        int min = pool.stream().mapToInt(Candidate::inFlight).min().orElseThrow();
        assertEquals(threads * picksPerThread, pool.stream().mapToInt(Candidate::inFlight).sum());
        // Two choices keep the gap tiny (random alone would leave ~±90); 5% of the mean is generous.
        assertTrue(max - min <= 50, "in flight ranged from " + min + " to " + max);
    }

    @Test
    void heavierBackendsCarryMoreInFlight() {
        List<Candidate> pool = FakeCandidate.weighted(1, 3);
        for (int i = 0; i < 4_000; i++) {
            strategy.pick(pool, FakeCandidate.REQUEST);
        }
        // (in flight + 1) / weight is kept level, so the split is 1:3 to within a request or two.
        assertEquals(1_000, pool.get(0).inFlight(), 2);
        assertEquals(3_000, pool.get(1).inFlight(), 2);
    }

    @Test
    void aSingleBackendIsPickedWithoutASecondChoice() {
        List<Candidate> one = FakeCandidate.pool(1);
        assertEquals(one.get(0).backend(), strategy.pick(one, FakeCandidate.REQUEST).backend());
        assertEquals(1, one.get(0).inFlight());
    }
}
