package dev.lb.benchmarks;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.core.internal.Balancer;
import dev.lb.core.internal.ThreadScheduler;
import dev.lb.core.strategy.Strategies;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pick through the balancer (snapshot read, the strategy's choice, the acquire) and the lease's release, for
 * every built-in strategy at 3, 100 and 1,000 backends, by one thread or two at once ({@code contended}). Every
 * backend has a latency estimate, as under traffic, so {@code ewma} compares latencies. Client
 * addresses rotate over 256 values so {@code consistent-hash} does not always hash the same key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class StrategyPickBenchmark {
    @Param({"round-robin", "weighted-round-robin", "random", "weighted-random", "least-connections", "p2c",
        "consistent-hash", "ewma"})
    String strategy;

    @Param({"3", "100", "1000"})
    int backends;

    private Balancer balancer;
    private ThreadScheduler scheduler;
    private RequestInfo[] requests;

    @Setup
    public void setUp() {
        List<Backend> pool = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            pool.add(Backend.of("http://10.0." + (i / 250) + "." + (i % 250 + 1) + ":8080", 1 + i % 3));
        }
        scheduler = new ThreadScheduler();
        balancer = new Balancer(Strategies.named(strategy), pool, Balancer.Settings.defaults(), scheduler);
        // Latencies of 1 to 3 ms, so ewma compares real estimates; the other strategies ignore them.
        balancer.members().forEach(member -> member.observeLatency(1_000_000L * (1 + member.backend().weight() % 3),
                scheduler.nanoTime()));
        requests = new RequestInfo[256];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = RequestInfo.of("GET", "/", new InetSocketAddress("192.168.1." + i % 255, 40000), Map.of());
        }
    }

    @TearDown
    public void tearDown() {
        scheduler.close();
    }

    /** Per-thread rotation over the client addresses. */
    @State(Scope.Thread)
    public static class Client {
        int next;
    }

    @Benchmark
    public Backend pick(Client client) {
        var lease = balancer.pick(requests[client.next++ & 255]);
        lease.release();
        return lease.backend();
    }

    @Benchmark
    @Threads(2)
    public Backend contended(Client client) {
        return pick(client);
    }
}
