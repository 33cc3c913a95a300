package dev.lb.api.spi;

import dev.lb.api.Backend;

/**
 * A backend as a strategy sees it during a pick: its configuration, its live in-flight count, the weight to use
 * now and its recent latency. Implemented by the load balancer; thread-safe. The signals added after the first
 * release have default methods, so candidates written for tests keep compiling.
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

    /**
     * The weight to use for this pick: {@code backend().weight()}, except during slow start, when a backend that
     * was added or came back up ramps from a tenth of its weight to all of it (see the load balancer's
     * {@code slowStart} setting). Always {@code > 0} and at most {@code backend().weight()}.
     *
     * <p>While it is below {@code backend().weight()} it may change from one call to the next; once it equals it,
     * it stays so for as long as the candidate list it came in is passed to {@link Strategy#pick}: the load
     * balancer passes a new list when a backend starts or ends a ramp. So a strategy may cache weights per list
     * when none of its candidates was ramping. The default is {@code backend().weight()}.
     */
    default double effectiveWeight() {
        return backend().weight();
    }

    /**
     * The backend's recent latency in nanoseconds, as peak-EWMA: the duration of each answered request is folded
     * into a moving average whose memory fades over the decay time (10s unless the {@code ewma} strategy's
     * {@code decay} option says otherwise), a request slower than the average replaces it at once, and while no
     * answer arrives the value decays towards 0 so that a backend once slow is tried again. {@code 0} when no
     * request has been answered yet, which is also the default.
     */
    default long latencyNanos() {
        return 0;
    }
}
