package dev.lb.core.internal;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many retries the load balancer may send (Finagle's retry budget): each request deposits {@code percent}/100
 * of a retry, time deposits {@code floorPerSecond}, and each retry withdraws one. The balance is capped at ten
 * seconds of the floor (at least one retry), so a quiet hour does not save up a storm. Requests deposit through a
 * {@link LongAdder} and {@link #available()} only reads; only withdrawals take the lock. Thread-safe.
 */
public final class RetryBudget {
    private static final long MILLI = 1000;
    private static final long CAP_SECONDS = 10;

    private final long perRequest; // in thousandths of a retry
    private final long perSecond;
    private final long cap;
    private final Scheduler clock;
    private final LongAdder requests = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    // written under lock; volatile so that available() reads them without it
    private volatile long balance;
    private volatile long lastRefill;

    public RetryBudget(int percent, int floorPerSecond, Scheduler clock) {
        this.perRequest = percent * MILLI / 100;
        this.perSecond = floorPerSecond * MILLI;
        this.cap = Math.max(MILLI, CAP_SECONDS * perSecond);
        this.clock = clock;
        this.lastRefill = clock.nanoTime();
        this.balance = CAP_SECONDS * perSecond;
    }

    /** A request arrived. */
    public void deposit() {
        requests.increment();
    }

    /**
     * Whether a retry would be allowed now; does not withdraw. Asked on every request that could be retried, so it
     * takes no lock and changes nothing: it computes the balance a withdrawal would see.
     */
    public boolean available() {
        return balanceAt(timeDeposit(clock.nanoTime()), requests.sum()) >= MILLI;
    }

    /** Withdraws one retry, or returns false when the budget is spent. */
    public boolean tryWithdraw() {
        lock.lock();
        try {
            long now = clock.nanoTime();
            long timeDeposit = timeDeposit(now);
            if (timeDeposit > 0) {
                lastRefill = now; // else the part of a millisecond since lastRefill still counts next time
            }
            balance = balanceAt(timeDeposit, requests.sumThenReset());
            if (balance < MILLI) {
                return false;
            }
            balance -= MILLI;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** What the floor has deposited since the last refill, in whole milliseconds. */
    private long timeDeposit(long now) {
        long elapsed = now - lastRefill;
        return elapsed > 0 ? Math.min(cap, elapsed / 1_000_000 * perSecond / 1000) : 0;
    }

    private long balanceAt(long timeDeposit, long newRequests) {
        return Math.min(cap, balance + timeDeposit + Math.min(cap, newRequests * perRequest));
    }
}
