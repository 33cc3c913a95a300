package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.BackendState;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend in the pool with its live state. One object per backend for as long as it is a member, so counts
 * survive snapshot rebuilds. The in-flight count changes only through leases; the health fields change only
 * under the {@link Balancer}'s lock, except the passive failure streak and the latency estimate, which requests
 * update lock-free.
 */
public final class Member implements Candidate {
    // Slow start begins with this share of the weight, so a backend that just came up is tried at once.
    static final double SLOW_START_FLOOR = 0.1;

    private final Backend backend;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<LatencyEstimate> latency = new AtomicReference<>(LatencyEstimate.NONE);
    final AtomicInteger failureStreak = new AtomicInteger();
    final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final Balancer balancer;
    // guarded by the balancer's lock; volatile so views read them without it
    volatile BackendState.Status status;
    volatile Instant since;
    volatile long sinceNanos;
    volatile String lastFailure;
    volatile boolean rampingUp; // in slow start since sinceNanos
    int probeSuccesses;
    int probeFailures;
    int ejections;

    Member(Backend backend, Balancer balancer, BackendState.Status status, Instant since, long sinceNanos) {
        this.backend = backend;
        this.balancer = balancer;
        this.status = status;
        this.since = since;
        this.sinceNanos = sinceNanos;
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
        return new MemberLease(this);
    }

    @Override
    public Lease tryAcquire(int expectedInFlight) {
        return inFlight.compareAndSet(expectedInFlight, expectedInFlight + 1) ? new MemberLease(this) : null;
    }

    /** The configured weight, or during slow start a linear ramp from a tenth of it to all of it. */
    @Override
    public double effectiveWeight() {
        int weight = backend.weight();
        if (!rampingUp) {
            return weight;
        }
        double elapsed = balancer.scheduler.nanoTime() - sinceNanos;
        return weight * Math.min(1, Math.max(SLOW_START_FLOOR, elapsed / balancer.slowStartNanos));
    }

    /** The peak-EWMA latency of answered requests, decayed to now; 0 before the first answer. Lock-free. */
    @Override
    public long latencyNanos() {
        return (long) latency.get().at(balancer.scheduler.nanoTime(), balancer.latencyDecayNanos);
    }

    /**
     * Folds one answered request's latency into the estimate. Lock-free: concurrent answers retry the
     * compare-and-set rather than overwrite one another.
     *
     * @param nanos    how long the request took
     * @param nowNanos when it ended, on the balancer's clock
     */
    public void observeLatency(long nanos, long nowNanos) {
        LatencyEstimate current;
        do {
            current = latency.get();
        } while (!latency.compareAndSet(current, current.observe(nanos, nowNanos, balancer.latencyDecayNanos)));
    }

    void release() {
        if (inFlight.decrementAndGet() == 0 && status == BackendState.Status.DRAINING) {
            balancer.drainedOut(this);
        }
    }

    /** A view of this member now. */
    public BackendState state() {
        return new BackendState(backend, status, since, Optional.ofNullable(lastFailure), inFlight.get());
    }

    @Override
    public String toString() {
        return backend + " (" + status + ", " + inFlight + " in flight)";
    }
}
