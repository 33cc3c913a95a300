package dev.lb.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A backend's health as the load balancer sees it at one moment. Immutable.
 *
 * @param backend     the backend
 * @param status      whether it takes new requests, and if not, why
 * @param since       when it entered this status
 * @param lastFailure the last failure observed on it (failed probe or failed request), if any
 * @param inFlight    requests in flight on it when the view was taken
 */
public record BackendState(Backend backend, Status status, Instant since, Optional<String> lastFailure,
                           int inFlight) {
    /** Where a backend stands. Only {@link #UP} backends receive new requests (but see panic mode). */
    public enum Status {
        /** Takes new requests. */
        UP,
        /** Failed its active health checks (or waits for its first passing round); takes none. */
        DOWN,
        /** Ejected by passive checks after consecutive failed requests, for a while; takes none. */
        EJECTED,
        /** Being removed: finishes its in-flight requests, takes no new ones. */
        DRAINING
    }

    public BackendState {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(lastFailure, "lastFailure");
    }
}
