package dev.lb.core.proxy;

import java.util.Set;

/**
 * What the caller of {@link Forwarder#forward} allows for one attempt: which failures it would retry on another
 * backend, and when the whole request must be done. A failure the caller would retry is returned unanswered
 * ({@link Outcome#answered()} false), so the client sees only the retry's answer.
 *
 * @param retryUnsent   leave unanswered a failure before any byte of the request reached the backend (connection
 *                      refused, connect timeout)
 * @param retrySent     leave unanswered a failure after the request was sent but before any byte of the response
 *                      arrived (reset, closed, or a response that is not HTTP)
 * @param retryStatuses leave unanswered a response with one of these statuses, its body discarded
 * @param deadline      the {@link System#nanoTime()} by which the response must be complete, or
 *                      {@link Long#MAX_VALUE} for none
 */
public record Attempt(boolean retryUnsent, boolean retrySent, Set<Integer> retryStatuses, long deadline) {
    /** An attempt that answers every failure itself and has no deadline. */
    public static final Attempt FINAL = new Attempt(false, false, Set.of(), Long.MAX_VALUE);

    public Attempt {
        retryStatuses = Set.copyOf(retryStatuses);
    }

    /** Nanoseconds left until the deadline (negative when past), or {@link Long#MAX_VALUE} when there is none. */
    public long remainingNanos() {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
    }
}
