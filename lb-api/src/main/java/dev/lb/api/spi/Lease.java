package dev.lb.api.spi;

import dev.lb.api.Backend;

/**
 * One request counted in flight on one backend, from the pick until its response has been forwarded.
 * Obtained only from {@link Candidate#acquire()} or {@link Candidate#tryAcquire(int)}; the load balancer
 * releases it.
 */
public interface Lease {
    /** The backend this request goes to. */
    Backend backend();
}
