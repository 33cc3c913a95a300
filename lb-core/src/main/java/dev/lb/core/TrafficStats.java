package dev.lb.core;

import dev.lb.core.proxy.Outcome;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the load balancer's own decisions, since start: retries by cause, retries the budget refused, and
 * requests refused by a concurrency limit. Read by metrics binders; thread-safe, cheap to bump.
 */
public final class TrafficStats {
    private final LongAdder retriesUnsent = new LongAdder();
    private final LongAdder retriesSent = new LongAdder();
    private final LongAdder retriesOnStatus = new LongAdder();
    final LongAdder budgetExhausted = new LongAdder();
    final LongAdder overloaded = new LongAdder();
    final LongAdder backendsFull = new LongAdder();

    TrafficStats() {
    }

    void retried(Outcome.Failure cause) {
        switch (cause) {
            case CONNECT -> retriesUnsent.increment();
            case NONE -> retriesOnStatus.increment();
            default -> retriesSent.increment();
        }
    }

    /** Retries of requests that reached no backend (connection refused, connect timeout). */
    public long retriesUnsent() {
        return retriesUnsent.sum();
    }

    /** Retries of requests a backend broke off before answering (reset, closed, not HTTP). */
    public long retriesSent() {
        return retriesSent.sum();
    }

    /** Retries of requests a backend answered with a retryable status. */
    public long retriesOnStatus() {
        return retriesOnStatus.sum();
    }

    /** Retries not made because the retry budget was spent. */
    public long retryBudgetExhausted() {
        return budgetExhausted.sum();
    }

    /** Requests answered 503 because the load balancer had its maximum in flight. */
    public long rejectedOverloaded() {
        return overloaded.sum();
    }

    /** Requests answered 503 because every eligible backend had its maximum in flight. */
    public long rejectedBackendsFull() {
        return backendsFull.sum();
    }
}
