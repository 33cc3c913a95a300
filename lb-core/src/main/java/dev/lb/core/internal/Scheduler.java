package dev.lb.core.internal;

import java.time.Instant;

/**
 * Time and delayed work for the health logic, injectable so tests step time instead of sleeping.
 * Implementations are thread-safe; tasks must be short and non-blocking.
 */
public interface Scheduler extends AutoCloseable {
    /** Monotonic time in nanoseconds, for intervals. */
    long nanoTime();

    /** Wall-clock time, for the {@code since} of backend states. */
    Instant now();

    /** Runs {@code task} once after {@code delayNanos}; the returned handle cancels it. */
    Runnable schedule(Runnable task, long delayNanos);

    /** Cancels pending tasks and stops the scheduler's thread. */
    @Override
    void close();
}
