package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lb.api.Backend;
import dev.lb.api.spi.Candidate;
import dev.lb.core.internal.LatencyDecay;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeakEwmaTest {
    private static final long MS = 1_000_000;

    private final Random random = new Random(7);
    private final PeakEwma strategy = new PeakEwma(LatencyDecay.DEFAULT, () -> random);
    private final FakeCandidate fast = new FakeCandidate(9001);
    private final FakeCandidate slow = new FakeCandidate(9002);
    private final List<Candidate> pair = List.of(fast, slow);

    @Test
    void theLowerLatencyWinsWhenNothingIsInFlight() {
        fast.latencyNanos = 10 * MS;
        slow.latencyNanos = 100 * MS;
        assertEquals(fast.backend(), pickAndRelease());
    }

    @Test
    void requestsInFlightMultiplyTheLatency() {
        fast.latencyNanos = 10 * MS;
        slow.latencyNanos = 100 * MS;
        fast.inFlight.set(10); // cost 10 ms x 11 = 110 ms, above the slow one's 100 ms x 1
        assertEquals(slow.backend(), pickAndRelease());
    }

    @Test
    void heldPicksSettleWhereLatencyTimesLoadIsEven() {
        fast.latencyNanos = 10 * MS;
        slow.latencyNanos = 40 * MS;
        for (int i = 0; i < 500; i++) {
            strategy.pick(pair, FakeCandidate.REQUEST);
        }
        // 10 (f + 1) ~ 40 (s + 1) with f + s = 500: f ~ 400, s ~ 100.
        assertEquals(400, fast.inFlight(), 1);
        assertEquals(100, slow.inFlight(), 1);
    }

    @Test
    void aHigherEffectiveWeightLowersTheCost() {
        fast.latencyNanos = 10 * MS;
        slow.latencyNanos = 10 * MS;
        slow.effectiveWeight = 0.25; // in slow start: its cost counts four times
        for (int i = 0; i < 500; i++) {
            strategy.pick(pair, FakeCandidate.REQUEST);
        }
        // (f + 1) = 4 (s + 1) with f + s = 500: f ~ 400.6, s ~ 99.4.
        assertEquals(400, fast.inFlight(), 1);
    }

    @Test
    void withoutALatencyOnEitherSideTheLoadDecidesAsInP2c() {
        fast.latencyNanos = 10 * MS; // slow has none yet: a new backend
        fast.inFlight.set(3);
        slow.inFlight.set(2);
        assertEquals(slow.backend(), pickAndRelease());
        slow.inFlight.set(5);
        assertEquals(fast.backend(), pickAndRelease());
    }

    private Backend pickAndRelease() {
        var backend = strategy.pick(pair, FakeCandidate.REQUEST).backend();
        (backend.equals(fast.backend()) ? fast : slow).release();
        return backend;
    }
}
