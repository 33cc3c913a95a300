package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend in the pool with its live state. One object per backend for as long as it is a member, so the
 * in-flight count survives snapshot rebuilds. The count changes only through leases.
 */
public final class Member implements Candidate {
    private final Backend backend;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean up = true;

    Member(Backend backend) {
        this.backend = backend;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** Whether the backend may receive new requests. */
    public boolean up() {
        return up;
    }

    /** Changed only by {@link Balancer}, which rebuilds the snapshot afterwards. */
    void up(boolean value) {
        up = value;
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
        inFlight.decrementAndGet();
    }

    @Override
    public String toString() {
        return backend + (up ? " (up, " : " (down, ") + inFlight + " in flight)";
    }
}
