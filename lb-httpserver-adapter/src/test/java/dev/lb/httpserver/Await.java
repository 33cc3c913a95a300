package dev.lb.httpserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls for what real I/O will make true, with a deadline; never a fixed sleep. */
final class Await {
    private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(5);

    private Await() {
    }

    /** Polls {@code condition} for at most 5 seconds; fails naming {@code what} if it never held. */
    static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_LIMIT, condition);
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} if it does not within {@code limit}. */
    static void until(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
