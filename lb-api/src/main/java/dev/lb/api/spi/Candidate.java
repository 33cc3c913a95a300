package dev.lb.api.spi;

import dev.lb.api.Backend;

/**
 * A backend as a strategy sees it during a pick: its configuration and its live in-flight count.
 * Implemented by the load balancer; thread-safe.
 */
public interface Candidate {
    /** The backend's configuration. */
    Backend backend();

    /** Requests currently in flight on this backend. */
    int inFlight();

    /** Counts one more request in flight on this backend and returns the lease for it. */
    Lease acquire();

    /**
     * Counts one more request in flight only if the count is still {@code expectedInFlight}; otherwise returns
     * {@code null} and changes nothing. Lets a strategy that chose by in-flight count retry when another
     * request got there first.
     */
    Lease tryAcquire(int expectedInFlight);
}
