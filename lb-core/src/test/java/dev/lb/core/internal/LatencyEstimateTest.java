package dev.lb.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.spi.Strategy;
import dev.lb.core.strategy.Strategies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The peak-EWMA latency a member keeps for {@code ewma}, on a clock the test steps. */
class LatencyEstimateTest {
    private static final long MS = 1_000_000;

    private final ManualScheduler clock = new ManualScheduler();
    private final Member member = balancer(Strategies.named("ewma")).members().get(0);

    @Test
    void noAnswerYetMeansNoLatency() {
        assertEquals(0, member.latencyNanos());
    }

    @Test
    void theFirstAnswerIsTheEstimateAndASlowerOneReplacesItAtOnce() {
        member.observeLatency(20 * MS, clock.nanoTime());
        assertEquals(20 * MS, member.latencyNanos());
        clock.advance(Duration.ofMillis(1));
        member.observeLatency(300 * MS, clock.nanoTime());
        assertEquals(300 * MS, member.latencyNanos());
    }

    @Test
    void fasterAnswersPullTheEstimateDownByTheShareOfTheDecayTimeThatPassed() {
        member.observeLatency(100 * MS, clock.nanoTime());
        clock.advance(Duration.ofSeconds(1)); // a tenth of the default decay time
        member.observeLatency(10 * MS, clock.nanoTime());
        double remaining = Math.exp(-0.1);
        assertEquals(100 * MS * remaining + 10 * MS * (1 - remaining), member.latencyNanos(), 1);
    }

    @Test
    void withoutAnswersTheEstimateDecaysTowardsZeroSoASlowBackendIsTriedAgain() {
        member.observeLatency(100 * MS, clock.nanoTime());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(100 * MS * Math.exp(-1), member.latencyNanos(), 1);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(100 * MS * Math.exp(-4), member.latencyNanos(), 1);
    }

    @Test
    void theEwmaDecayOptionSetsHowFastEstimatesForget() {
        Member quick = balancer(Strategies.named("ewma", Map.of("decay", "1s"))).members().get(0);
        quick.observeLatency(100 * MS, clock.nanoTime());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(100 * MS * Math.exp(-1), quick.latencyNanos(), 1);
    }

    @Test
    void concurrentAnswersAreNeverLost() throws Exception {
        // At one instant no time passes, so the estimate must end as the slowest answer: a lost compare-and-set
        // would show as a lower value.
        int threads = 8;
        int answers = 5_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = 1; i <= answers; i++) {
                        member.observeLatency((long) i * threads + thread, clock.nanoTime());
                    }
                });
            }
            start.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) answers * threads + threads - 1, member.latencyNanos());
    }

    private Balancer balancer(Strategy strategy) {
        return new Balancer(strategy, List.of(Backend.of("http://127.0.0.1:9001")), Balancer.Settings.defaults(),
                clock);
    }
}
