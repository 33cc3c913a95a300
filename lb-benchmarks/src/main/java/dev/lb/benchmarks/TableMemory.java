package dev.lb.benchmarks;

import dev.lb.core.ratelimit.TokenBucketLimiter;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.util.function.IntFunction;

/**
 * Measures the heap a tracked key costs: fills a limiter with 1,000,000 keys shaped like the load balancer's
 * (IPv4 addresses, IPv6 /64 prefixes) and compares the used heap after a full GC with the heap before.
 *
 * <pre>java -cp lb-benchmarks/target/benchmarks.jar dev.lb.benchmarks.TableMemory</pre>
 */
public final class TableMemory {
    private static final int KEYS = 1_000_000;

    private TableMemory() {
    }

    /** Prints the bytes per key for IPv4 and IPv6 keys. */
    public static void main(String[] args) {
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        measure("IPv4 keys (10.0.3.232)", i -> "10." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "."
                + (i & 0xff));
        measure("IPv6 /64 keys (2001:db8:0:3e8::/64)", i -> "2001:db8:" + Integer.toHexString(i >>> 16) + ":"
                + Integer.toHexString(i & 0xffff) + "::/64");
    }

    private static void measure(String label, IntFunction<String> key) {
        long before = usedAfterGc();
        TokenBucketLimiter limiter = TokenBucketLimiter.of(10, 20, KEYS, System::nanoTime);
        for (int i = 0; i < KEYS; i++) {
            limiter.tryAcquire(key.apply(i));
        }
        long after = usedAfterGc();
        if (limiter.stats().trackedKeys() != KEYS) {
            throw new IllegalStateException("tracked " + limiter.stats());
        }
        System.out.printf("%s: %d keys, %.1f MB, %.0f bytes per key%n", label, KEYS, (after - before) / 1e6,
                (after - before) / (double) KEYS);
        Reference.reachabilityFence(limiter);
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
