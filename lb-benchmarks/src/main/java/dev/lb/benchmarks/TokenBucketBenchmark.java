package dev.lb.benchmarks;

import dev.lb.core.ratelimit.TokenBucketLimiter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link TokenBucketLimiter#tryAcquire} on tracked keys: one hot key, 1,000 keys and 1,000,000 keys, taken in turn
 * by one thread, or by two at once ({@code contended}: on one key they race for the same compare-and-set). The
 * clock is the real {@code System.nanoTime()}, so its cost is included.
 *
 * <p>{@code admitted}: buckets so deep they never run dry, so every call takes a token (a successful
 * compare-and-set). {@code rejected}: buckets that stay empty, so every call is refused (no write to the bucket, a
 * counter increment).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {
    @Param({"1", "1000", "1000000"})
    int keys;

    @Param({"admitted", "rejected"})
    String outcome;

    String[] names;
    TokenBucketLimiter limiter;

    @Setup(Level.Trial)
    public void fill() {
        limiter = outcome.equals("admitted")
                ? TokenBucketLimiter.of(TokenBucketLimiter.MAX_RATE, Integer.MAX_VALUE, keys, System::nanoTime)
                : TokenBucketLimiter.of(0.001, 1, keys, System::nanoTime);
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
            limiter.tryAcquire(names[i]); // tracked from now on; a rejecting bucket is empty from now on
        }
    }

    /** Each thread walks the keys from its own starting point. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void start(TokenBucketBenchmark benchmark) {
            next = (int) (Thread.currentThread().getId() * 7919 % benchmark.keys);
        }

        String key(String[] names) {
            String name = names[next];
            next = next + 1 == names.length ? 0 : next + 1;
            return name;
        }
    }

    @Benchmark
    @Threads(1)
    public long tryAcquire(Cursor cursor) {
        return limiter.tryAcquire(cursor.key(names));
    }

    @Benchmark
    @Threads(2)
    public long tryAcquireContended(Cursor cursor) {
        return limiter.tryAcquire(cursor.key(names));
    }
}
