package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lb.api.Backend;
import dev.lb.core.strategy.Strategies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerBuilderTest {
    @Test
    void startsWithTheConfiguredBackendsAndStrategy() {
        try (LoadBalancer lb = LoadBalancer.builder().strategy("least-connection")
                .backend("http://127.0.0.1:9001").backend("http://127.0.0.1:9002", 3).start()) {
            assertEquals(List.of(Backend.of("http://127.0.0.1:9001"), Backend.of("http://127.0.0.1:9002")),
                    lb.backends());
            assertEquals(3, lb.backends().get(1).weight());
            assertEquals("least-connections", lb.strategy().toString());
        }
    }

    @Test
    void defaultsToRoundRobinAndAcceptsAStrategyInstance() {
        try (LoadBalancer lb = LoadBalancer.builder().backend("http://127.0.0.1:9001").start()) {
            assertEquals("round-robin", lb.strategy().toString());
        }
        try (LoadBalancer lb = LoadBalancer.builder().strategy(Strategies.leastConnections())
                .backend("http://127.0.0.1:9001").start()) {
            assertEquals("least-connections", lb.strategy().toString());
        }
    }

    @Test
    void noBackends() {
        assertFailure("backends: none (expected: at least one backend)", LoadBalancer.builder());
    }

    @Test
    void duplicateBackend() {
        LoadBalancer.Builder builder = LoadBalancer.builder().backend("http://127.0.0.1:80");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.backend("http://127.0.0.1/"));
        assertEquals("backend url: http://127.0.0.1 duplicates http://127.0.0.1:80 (expected: each backend once)",
                e.getMessage());
    }

    @Test
    void unknownStrategyFailsAtStartListingTheKnownNames() {
        LoadBalancer.Builder builder = LoadBalancer.builder().strategy("random-ish").backend("http://127.0.0.1:1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::start);
        assertEquals("strategy: \"random-ish\" is unknown (expected one of: "
                + String.join(", ", Strategies.names()) + ")", e.getMessage());
    }

    @Test
    void strategyOptionsAreCheckedAtStartAndANameAloneClearsThem() {
        LoadBalancer.Builder builder = LoadBalancer.builder().backend("http://127.0.0.1:1")
                .strategy("consistent-hash", Map.of("hash_key", "query"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::start);
        assertEquals("strategy option hash_key: \"query\" (expected: client_address, path, header:<name> or "
                + "cookie:<name>, e.g. header:X-User)", e.getMessage());
        try (LoadBalancer lb = builder.strategy("p2c").start()) {
            assertEquals("p2c", lb.strategy().toString());
        }
        try (LoadBalancer lb = builder.strategy("consistent-hash", Map.of("hash_key", "path")).start()) {
            assertEquals("consistent-hash", lb.strategy().toString());
        }
    }

    @Test
    void slowStartIsOffAtZeroAndNeverNegative() {
        LoadBalancer.Builder builder = LoadBalancer.builder().backend("http://127.0.0.1:1");
        builder.slowStart(Duration.ZERO).slowStart(Duration.ofSeconds(30)).start().close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.slowStart(Duration.ofSeconds(-1)));
        assertEquals("slowStart: PT-1S (expected: >= 0; 0 turns it off)", e.getMessage());
    }

    @Test
    void badSettingsNameTheFieldAndTheValue() {
        assertEquals("backend weight: 0 for http://a (expected: >= 1)",
                assertThrows(IllegalArgumentException.class,
                        () -> LoadBalancer.builder().backend("http://a", 0)).getMessage());
        assertEquals("connectTimeout: PT0S (expected: > 0)", assertThrows(IllegalArgumentException.class,
                () -> LoadBalancer.builder().connectTimeout(Duration.ZERO)).getMessage());
        assertEquals("responseTimeout: PT-1S (expected: > 0)", assertThrows(IllegalArgumentException.class,
                () -> LoadBalancer.builder().responseTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("strategy: \" \" (expected: a strategy name such as round-robin)",
                assertThrows(IllegalArgumentException.class,
                        () -> LoadBalancer.builder().strategy(" ")).getMessage());
    }

    @Test
    void badHealthSettingsNameTheFieldAndTheValue() {
        assertEquals("health check path: \"/a b\" (expected: a URL path starting with /, such as /health)",
                assertThrows(IllegalArgumentException.class, () -> HealthCheck.builder().path("/a b")).getMessage());
        assertEquals("health check path: \"health\" (expected: a URL path starting with /, such as /health)",
                assertThrows(IllegalArgumentException.class, () -> HealthCheck.builder().path("health")).getMessage());
        assertEquals("health check rise: 0 (expected: >= 1)",
                assertThrows(IllegalArgumentException.class, () -> HealthCheck.builder().rise(0)).getMessage());
        assertEquals("health check healthy statuses: 400-200 (expected: a range within 100-599, low to high)",
                assertThrows(IllegalArgumentException.class,
                        () -> HealthCheck.builder().healthyStatuses(400, 200)).getMessage());
        assertEquals("passive maxEjectedPercent: 101 (expected: 0 to 100)",
                assertThrows(IllegalArgumentException.class,
                        () -> PassiveHealth.builder().maxEjectedPercent(101)).getMessage());
        assertEquals("passive maxEjection: PT10S (expected: >= baseEjection PT30S)",
                assertThrows(IllegalArgumentException.class,
                        () -> PassiveHealth.builder().maxEjection(Duration.ofSeconds(10)).build()).getMessage());
        assertEquals(Duration.ofSeconds(5), HealthCheck.builder().path("/health?deep=1").build().interval());
    }

    private static void assertFailure(String message, LoadBalancer.Builder builder) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, builder::start).getMessage());
    }
}
