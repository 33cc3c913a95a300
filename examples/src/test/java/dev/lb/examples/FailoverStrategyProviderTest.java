package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import dev.lb.core.LoadBalancer;
import dev.lb.core.strategy.Strategies;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverStrategyProviderTest {
    private static final RequestInfo GET =
            RequestInfo.of("GET", "/", new InetSocketAddress("127.0.0.1", 50_000), Map.of());

    /** A candidate that counts its acquisitions. */
    private static final class Counting implements Candidate {
        final Backend backend;
        int inFlight;

        Counting(String url) {
            backend = Backend.of(url);
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }

        @Override
        public Lease acquire() {
            inFlight++;
            return () -> backend;
        }

        @Override
        public Lease tryAcquire(int expectedInFlight) {
            return inFlight == expectedInFlight ? acquire() : null;
        }
    }

    @Test
    void everyRequestGoesToTheFirstEligibleCandidate() {
        Strategy failover = new FailoverStrategyProvider().create();
        Counting primary = new Counting("http://primary");
        Counting backup = new Counting("http://backup");

        for (int i = 0; i < 5; i++) {
            assertEquals(primary.backend, failover.pick(List.of(primary, backup), GET).backend());
        }
        assertEquals(backup.backend, failover.pick(List.of(backup), GET).backend());
        assertEquals(5, primary.inFlight);
        assertEquals(1, backup.inFlight);
    }

    @Test
    void isRegisteredByName() {
        assertTrue(Strategies.names().contains("failover"), Strategies.names()::toString);
        assertEquals("failover", Strategies.named("Failover").toString());
    }

    @Test
    void isSelectedFromTheBuilderByName() {
        try (LoadBalancer lb = LoadBalancer.builder().strategy("failover").backend("http://127.0.0.1:1").start()) {
            assertEquals("failover", lb.strategy().toString());
        }
    }

    @Test
    void isSelectedFromConfigYamlByName() {
        RunnerConfig config = RunnerConfig.parse("strategy: failover\nbackends: [\"http://127.0.0.1:1\"]\n", Map.of());

        try (LoadBalancer lb = config.loadBalancerBuilder().start()) {
            assertEquals("failover", lb.strategy().toString());
            assertSame(FailoverStrategyProvider.class, lb.strategy().getClass().getEnclosingClass());
        }
    }
}
