package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {
    private final List<Candidate> pool = FakeCandidate.pool(3);
    private final LeastConnections strategy = new LeastConnections();

    @Test
    void picksTheBackendWithFewestRequestsInFlight() {
        ((FakeCandidate) pool.get(0)).inFlight.set(5);
        ((FakeCandidate) pool.get(1)).inFlight.set(2);
        ((FakeCandidate) pool.get(2)).inFlight.set(7);

        Lease lease = strategy.pick(pool, FakeCandidate.REQUEST);

        assertEquals(pool.get(1).backend(), lease.backend());
        assertEquals(3, pool.get(1).inFlight());
    }

    @Test
    void tiesDoNotAlwaysGoToTheFirstBackend() {
        Set<Backend> chosen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Lease lease = strategy.pick(pool, FakeCandidate.REQUEST);
            chosen.add(lease.backend());
            pool.stream().filter(c -> c.backend().equals(lease.backend())).findFirst()
                    .ifPresent(c -> ((FakeCandidate) c).release());
        }
        assertEquals(3, chosen.size(), "idle, equal backends should share sequential requests");
    }

    @Test
    void aConcurrentBurstSpreadsEvenlyInsteadOfPilingOntoOneBackend() throws Exception {
        int threads = 48;
        int picksPerThread = 50;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < picksPerThread; i++) {
                        strategy.pick(pool, FakeCandidate.REQUEST); // held, never released: a burst
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
        // Every increment landed on a current minimum, so the counts can differ by at most one: 2400 / 3 each.
        for (Candidate candidate : pool) {
            assertEquals(threads * picksPerThread / 3, candidate.inFlight(), candidate.backend().url());
        }
    }

    @Test
    void requestsThatChoseTogetherDoNotAllLandOnTheBackendTheyAllSawAsIdlest() throws Exception {
        int threads = 3;
        // Every thread finishes its first scan before any of them acquires: all see backend 0 as the idlest.
        CyclicBarrier allScanned = new CyclicBarrier(threads);
        ThreadLocal<Integer> reads = ThreadLocal.withInitial(() -> 0);
        List<Candidate> racing = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            racing.add(new FakeCandidate(9001 + i) {
                @Override
                public int inFlight() {
                    int value = super.inFlight();
                    reads.set(reads.get() + 1);
                    if (reads.get() == 3) {
                        await(allScanned);
                    }
                    return value;
                }
            });
        }
        ((FakeCandidate) racing.get(1)).inFlight.set(1);
        ((FakeCandidate) racing.get(2)).inFlight.set(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Lease>> picks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                picks.add(executor.submit(() -> strategy.pick(racing, FakeCandidate.REQUEST)));
            }
            for (Future<Lease> pick : picks) {
                pick.get(10, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        // Non-atomic pick-then-increment would give 3, 1, 1.
        List<Integer> counts = racing.stream().map(c -> ((FakeCandidate) c).inFlight.get()).sorted().collect(Collectors.toList());
        assertEquals(List.of(1, 2, 2), counts);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBackendThatFreesUpGetsTheNextRequest() {
        for (int i = 0; i < 6; i++) {
            strategy.pick(pool, FakeCandidate.REQUEST);
        }
        ((FakeCandidate) pool.get(2)).release();
        assertEquals(pool.get(2).backend(), strategy.pick(pool, FakeCandidate.REQUEST).backend());
        assertTrue(pool.stream().allMatch(c -> c.inFlight() == 2));
    }

    @Test
    void aHeavierBackendCarriesMoreRequestsInProportionToItsWeight() {
        List<Candidate> weighted = FakeCandidate.weighted(3, 1, 1);
        for (int i = 0; i < 500; i++) {
            strategy.pick(weighted, FakeCandidate.REQUEST); // held: the load builds
        }
        assertEquals(List.of(300, 100, 100), weighted.stream().map(Candidate::inFlight).collect(Collectors.toList()));
    }

    @Test
    void idleBackendsSendTheFirstRequestToTheHeaviest() {
        List<Candidate> weighted = FakeCandidate.weighted(1, 4, 1);
        assertEquals(weighted.get(1).backend(), strategy.pick(weighted, FakeCandidate.REQUEST).backend());
    }

    @Test
    void aLightBackendWithFewRequestsCanStillBeBusierThanAHeavyOne() {
        List<Candidate> weighted = FakeCandidate.weighted(1, 10);
        ((FakeCandidate) weighted.get(0)).inFlight.set(2);  // (2 + 1) / 1 = 3
        ((FakeCandidate) weighted.get(1)).inFlight.set(15); // (15 + 1) / 10 = 1.6
        assertEquals(weighted.get(1).backend(), strategy.pick(weighted, FakeCandidate.REQUEST).backend());
    }
}
