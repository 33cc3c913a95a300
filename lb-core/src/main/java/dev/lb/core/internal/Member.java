package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.BackendState;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend in the pool with its live state. One object per backend for as long as it is a member, so counts
 * survive snapshot rebuilds. The in-flight count changes only through leases; the health fields change only
 * under the {@link Balancer}'s lock, except the passive failure streak, which requests bump lock-free.
 */
public final class Member implements Candidate {
    private final Backend backend;
    private final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger failureStreak = new AtomicInteger();
    final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final Balancer balancer;
    // guarded by the balancer's lock; volatile so views read them without it
    volatile BackendState.Status status;
    volatile Instant since;
    volatile long sinceNanos;
    volatile String lastFailure;
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
