package dev.lb.benchmarks;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link TokenBucketBenchmark} cannot go below on this machine: reading the clock, and reading the clock plus
 * looking the key up in a map of the same size. The limiter's own work is the difference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBaseline {
    @Param({"1", "1000", "1000000"})
    int keys;

    String[] names;
    ConcurrentHashMap<String, AtomicLong> table;
    int next;

    @Setup(Level.Trial)
    public void fill() {
        names = new String[keys];
        table = new ConcurrentHashMap<>();
        for (int i = 0; i < keys; i++) {
            names[i] = "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
            table.put(names[i], new AtomicLong(i));
        }
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public long nanoTimeAndMapGet() {
        String name = names[next];
        next = next + 1 == names.length ? 0 : next + 1;
        return System.nanoTime() + table.get(name).get();
    }
}
