package dev.lb.core.strategy;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.core.TestRequests;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A candidate with a real in-flight count, for driving strategies without a pool; its latency and effective weight
 * are whatever the test sets.
 */
class FakeCandidate implements Candidate {
    static final RequestInfo REQUEST = TestRequests.GET;

    private final Backend backend;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile long latencyNanos;
    volatile double effectiveWeight;

    FakeCandidate(int port) {
        this(port, 1);
    }

    FakeCandidate(int port, int weight) {
        this.backend = Backend.of("http://127.0.0.1:" + port, weight);
        this.effectiveWeight = weight;
    }

    /** One candidate per weight, on ports 9001, 9002, ... */
    static List<Candidate> weighted(int... weights) {
        List<Candidate> pool = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            pool.add(new FakeCandidate(9001 + i, weights[i]));
        }
        return List.copyOf(pool);
    }

    static List<Candidate> pool(int size) {
        List<Candidate> pool = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            pool.add(new FakeCandidate(9001 + i));
        }
        return List.copyOf(pool);
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public Lease acquire() {
        inFlight.incrementAndGet();
        return this::backend;
    }

    @Override
    public Lease tryAcquire(int expectedInFlight) {
        return inFlight.compareAndSet(expectedInFlight, expectedInFlight + 1) ? (Lease) this::backend : null;
    }

    @Override
    public double effectiveWeight() {
        return effectiveWeight;
    }

    @Override
    public long latencyNanos() {
        return latencyNanos;
    }

    void release() {
        inFlight.decrementAndGet();
    }
}
