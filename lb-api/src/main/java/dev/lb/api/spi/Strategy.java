package dev.lb.api.spi;

import dev.lb.api.RequestInfo;
import java.util.List;

/**
 * Chooses the backend for each request.
 *
 * <p>The load balancer calls {@link #pick} with the eligible (healthy, not draining) backends of one immutable
 * snapshot of the pool, so a strategy never sees a half-updated pool and never needs to filter for health. The
 * strategy returns a {@link Lease} obtained from the chosen candidate's {@link Candidate#acquire()} or
 * {@link Candidate#tryAcquire(int)}: acquiring counts the request as in flight on that backend, so strategies that
 * read in-flight counts can make their choice and the count one atomic step.
 *
 * <p>Implementations are called concurrently from many threads and must be thread-safe, fast and non-blocking.
 * A strategy instance serves one load balancer. Plugins register a {@link StrategyProvider}.
 */
@FunctionalInterface
public interface Strategy {
    /**
     * Chooses one of {@code candidates} and acquires it.
     *
     * @param candidates the eligible backends in configuration order, never empty; an immutable list that is the
     *                   same object until the pool changes, so a strategy may cache derived data keyed on it
     * @param request    the request being routed
     * @return a lease from exactly one {@code acquire}/{@code tryAcquire} call on one of the candidates
     */
    Lease pick(List<Candidate> candidates, RequestInfo request);
}
