package dev.lb.core.ratelimit;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A token bucket per key: each key may take {@code burst} tokens at once, and gets {@code rate} tokens back per
 * second, up to {@code burst}. Keys are opaque strings; this class knows nothing of HTTP.
 *
 * <p><b>Exact.</b> Over any window of {@code d} seconds a key is admitted at most {@code burst + rate × d} times,
 * and under steady overload that many (fractions of a token are kept, never rounded away; a bucket of one token
 * cannot bank the time between a token's arrival and the next request, so there it takes arrivals that line up
 * with the tokens). The time
 * between two tokens is kept in whole nanoseconds, rounded up, so the admitted rate is never above
 * {@code rate} and below it by at most {@code rate / 10^9} relative (0.1% at the largest rate allowed,
 * {@value #MAX_RATE}/s).
 *
 * <p><b>Bounded.</b> At most {@code maxKeys} keys are tracked (default {@value #DEFAULT_MAX_KEYS}). When the table
 * is full, a new key makes room by evicting buckets that have refilled completely: such a bucket holds no state (a
 * fresh one is identical), so eviction never hands a client a fuller bucket than it had. When every tracked
 * bucket is still refilling, new keys share one overflow bucket until room appears. A full table is swept at
 * most once per {@code maxKeys} microseconds (0.1 s for the default), never before a bucket can have refilled,
 * by the request that finds it full; meanwhile other requests do not wait for it.
 *
 * <p><b>Fast.</b> {@link #tryAcquire} never blocks and does not allocate for a tracked key: a map lookup and a
 * compare-and-set. Time comes from the clock given, nanoseconds as from {@link System#nanoTime()}.
 *
 * <p>Thread-safe.
 */
public final class TokenBucketLimiter {
    /** The highest rate accepted, in tokens per second. */
    public static final double MAX_RATE = 1_000_000;
    /** How many keys are tracked unless told otherwise. */
    public static final int DEFAULT_MAX_KEYS = 100_000;
    /** The longest time a bucket may need to refill from empty to full: 1,000,000,000 s (31 years). */
    private static final double MAX_REFILL_SECONDS = 1e9;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The state of a bucket that was evicted; whoever finds it looks the key up again. */
    private static final long EVICTED = Long.MIN_VALUE;
    /** What {@link #take} returns for an evicted bucket. */
    static final long RETRY = -1;

    private final double rate;
    private final int burst;
    private final int maxKeys;
    private final LongSupplier clock;
    private final long interval;
    private final long capacity;
    private final long minSweepInterval;
    /**
     * A bucket is one long, its theoretical arrival time (GCRA): the instant at which it will be full again. It is
     * full when that instant has passed; a request is admitted when, after adding one interval, the instant lies
     * at most {@code capacity} (= burst intervals) ahead of now.
     */
    private final ConcurrentHashMap<String, AtomicLong> buckets;
    private final AtomicLong overflow;
    private final AtomicInteger tracked = new AtomicInteger();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long nextSweep;
    private final LongAdder evictions = new LongAdder();
    private final LongAdder overflowUses = new LongAdder();
    private final LongAdder rejections = new LongAdder();

    private TokenBucketLimiter(double rate, int burst, int maxKeys, LongSupplier clock) {
        this.rate = rate;
        this.burst = burst;
        this.maxKeys = maxKeys;
        this.clock = clock;
        this.interval = (long) Math.ceil(NANOS_PER_SECOND / rate);
        this.capacity = interval * burst;
        this.minSweepInterval = maxKeys * 1_000L;
        this.buckets = new ConcurrentHashMap<>(Math.min(maxKeys, 1 << 16));
        long now = clock.getAsLong();
        this.overflow = new AtomicLong(now);
        this.nextSweep = now;
    }

    /**
     * A limiter tracking up to {@value #DEFAULT_MAX_KEYS} keys on {@link System#nanoTime()}.
     *
     * @throws IllegalArgumentException if {@code rate} is not in {@code (0, 1000000]}, {@code burst < 1}, or a
     *                                  bucket would take more than 10^9 seconds to refill
     */
    public static TokenBucketLimiter of(double rate, int burst) {
        return of(rate, burst, DEFAULT_MAX_KEYS, System::nanoTime);
    }

    /**
     * A limiter.
     *
     * @param rate    tokens per second given back to each key, may be fractional (0.5 is one every two seconds)
     * @param burst   the bucket's capacity: how many requests a key may send at once
     * @param maxKeys how many keys are tracked at most
     * @param clock   nanoseconds, as from {@link System#nanoTime()}; tests pass a clock they step
     * @throws IllegalArgumentException if {@code rate} is not in {@code (0, 1000000]}, {@code burst < 1},
     *                                  {@code maxKeys < 1}, or a bucket would take more than 10^9 seconds to refill
     */
    public static TokenBucketLimiter of(double rate, int burst, int maxKeys, LongSupplier clock) {
        checkRate(rate, burst);
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: >= 1)");
        }
        return new TokenBucketLimiter(rate, burst, maxKeys, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Checks a rate and burst as {@link #of} does.
     *
     * @throws IllegalArgumentException naming the value and what is expected
     */
    public static void checkRate(double rate, int burst) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        if (rate > MAX_RATE) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: <= " + (long) MAX_RATE + ")");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        if (burst / rate > MAX_REFILL_SECONDS) {
            throw new IllegalArgumentException("rate: " + rate + " with burst " + burst
                    + " (expected: burst / rate <= 1000000000 seconds)");
        }
    }

    /**
     * Takes a token from the key's bucket if one is there.
     *
     * @return 0 when a token was taken (admit the request), otherwise how many nanoseconds until one will be
     *         there (reject the request; nothing was taken), at least 1
     */
    public long tryAcquire(String key) {
        Objects.requireNonNull(key, "key");
        long now = clock.getAsLong();
        while (true) {
            AtomicLong bucket = buckets.get(key);
            if (bucket == null) {
                bucket = track(key, now);
            }
            long wait = take(bucket, now);
            if (wait != RETRY) {
                return wait;
            }
            buckets.remove(key, bucket); // evicted under us: the sweeper removes it too; look up again
        }
    }

    /** Takes a token from the bucket: 0, or the nanoseconds until one is there, or {@link #RETRY} if evicted. */
    long take(AtomicLong bucket, long now) {
        while (true) {
            long tat = bucket.get();
            if (tat == EVICTED) {
                return RETRY;
            }
            // Differences, not comparisons, so a clock near Long.MAX_VALUE wraps safely, as nanoTime may.
            long next = (tat - now > 0 ? tat : now) + interval;
            long ahead = next - now;
            if (ahead > capacity) {
                rejections.increment();
                return ahead - capacity;
            }
            if (bucket.compareAndSet(tat, next)) {
                return 0;
            }
        }
    }

    /** The bucket for a key not in the table: a new full one if there is room (after a sweep), else the overflow. */
    private AtomicLong track(String key, long now) {
        if (reserve() || (sweep(now) && reserve())) {
            AtomicLong fresh = new AtomicLong(now);
            AtomicLong raced = buckets.putIfAbsent(key, fresh);
            if (raced == null) {
                return fresh;
            }
            tracked.decrementAndGet();
            return raced;
        }
        overflowUses.increment();
        return overflow;
    }

    /** Claims a place in the table; counted apart from the map so concurrent inserts cannot exceed the bound. */
    private boolean reserve() {
        int count;
        do {
            count = tracked.get();
            if (count >= maxKeys) {
                return false;
            }
        } while (!tracked.compareAndSet(count, count + 1));
        return true;
    }

    /**
     * Evicts every full bucket, if no other thread is sweeping and one can be full by now. Returns whether room
     * was made.
     */
    boolean sweep(long now) {
        if (now - nextSweep < 0 || !sweeping.compareAndSet(false, true)) {
            return false;
        }
        try {
            // No bucket left behind can be full before its own instant, nor one added later before now + interval.
            long earliestFull = now + interval;
            long freed = 0;
            for (Map.Entry<String, AtomicLong> entry : buckets.entrySet()) {
                AtomicLong bucket = entry.getValue();
                long tat = bucket.get();
                if (tat == EVICTED) {
                    continue;
                }
                // The compare-and-set fails if a request took a token meanwhile: that bucket stays.
                if (now - tat >= 0 && bucket.compareAndSet(tat, EVICTED)) {
                    buckets.remove(entry.getKey(), bucket);
                    tracked.decrementAndGet();
                    freed++;
                } else if (tat - earliestFull < 0) {
                    earliestFull = tat;
                }
            }
            evictions.add(freed);
            nextSweep = earliestFull - (now + minSweepInterval) > 0 ? earliestFull : now + minSweepInterval;
            return freed > 0;
        } finally {
            sweeping.set(false);
        }
    }

    /** The key's bucket in the table, or null; for tests. */
    AtomicLong bucket(String key) {
        return buckets.get(key);
    }

    /** The tokens per second each key gets back. */
    public double rate() {
        return rate;
    }

    /** The capacity of each bucket. */
    public int burst() {
        return burst;
    }

    /** How many keys are tracked at most. */
    public int maxKeys() {
        return maxKeys;
    }

    /** How long an empty bucket takes to refill completely, in nanoseconds: {@code burst / rate}, rounded up. */
    public long refillNanos() {
        return capacity;
    }

    /** The counters now; each is read on its own, so under load they may be a moment apart. */
    public Stats stats() {
        return new Stats(tracked.get(), evictions.sum(), overflowUses.sum(), rejections.sum());
    }

    /**
     * A snapshot of the limiter's counters.
     *
     * @param trackedKeys  keys in the table now, at most {@link #maxKeys()}
     * @param evictions    buckets evicted (full ones, to make room) since the start
     * @param overflowUses requests of keys that found the table full of active buckets and used the shared
     *                     overflow bucket
     * @param rejections   requests refused since the start
     */
    public record Stats(int trackedKeys, long evictions, long overflowUses, long rejections) {
    }

    @Override
    public String toString() {
        return "TokenBucketLimiter[rate=" + rate + "/s, burst=" + burst + ", maxKeys=" + maxKeys + "]";
    }
}
