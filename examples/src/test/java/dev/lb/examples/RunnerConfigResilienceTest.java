package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The runner's timeout, limit and retry keys. */
class RunnerConfigResilienceTest {
    private static final String BACKENDS = "backends:\n  - \"http://localhost:9001\"\n";

    private static RunnerConfig.ResilienceSettings parse(String yaml) {
        return RunnerConfig.parse(yaml + BACKENDS, Map.of()).resilience();
    }

    private static String error(String yaml) {
        String message = assertThrows(IllegalArgumentException.class, () -> RunnerConfig.parse(yaml + BACKENDS,
                Map.of())).getMessage();
        assertTrue(message.lines().count() == 1, message);
        return message;
    }

    @Test
    void absentKeysGiveTheLibraryDefaults() {
        assertEquals(new RunnerConfig.ResilienceSettings(Duration.ofSeconds(60), Optional.empty(), 2048, 1024,
                OptionalLong.empty(), 2, List.of(502, 503, 504), false, 65536, 20, 10), parse(""));
        assertEquals(RunnerConfig.ResilienceSettings.DEFAULTS,
                RunnerConfig.ofBackends("http://localhost:9001", Map.of()).resilience());
    }

    @Test
    void everyKeyIsRead() {
        RunnerConfig config = RunnerConfig.parse("idle_timeout: 5s\nrequest_timeout: 1m\nmax_in_flight: 100\n"
                + "max_in_flight_per_backend: 10\nmax_request_body: 1048576\nretries:\n  max_attempts: 3\n"
                + "  statuses: [503]\n  non_idempotent: true\n  replay_buffer: 0\n  budget_percent: 5\n"
                + "  budget_floor: 0\n" + BACKENDS, Map.of());
        assertEquals(new RunnerConfig.ResilienceSettings(Duration.ofSeconds(5), Optional.of(Duration.ofMinutes(1)),
                100, 10, OptionalLong.of(1048576), 3, List.of(503), true, 0, 5, 0), config.resilience());
        assertEquals(List.of(), config.unknownKeys());
        config.loadBalancerBuilder(); // the builder accepts every value the parser does
    }

    @Test
    void anEmptyStatusListRetriesOnlyFailures() {
        assertEquals(List.of(), parse("retries:\n  statuses: []\n").retryStatuses());
    }

    @Test
    void badValuesFailWithOneLineNamingTheKey() {
        assertEquals("retries.statuses[1]: 404 (expected: a list of 5xx statuses such as [502, 503, 504], or [] for "
                + "none)", error("retries:\n  statuses: [502, 404]\n"));
        assertEquals("retries.statuses: 503 (expected: a list of 5xx statuses such as [502, 503, 504], or [] for "
                + "none)", error("retries:\n  statuses: 503\n"));
        assertEquals("retries.max_attempts: 0 (expected: an integer >= 1)", error("retries:\n  max_attempts: 0\n"));
        assertEquals("retries.budget_percent: 120 (expected: an integer from 0 to 100)",
                error("retries:\n  budget_percent: 120\n"));
        assertEquals("max_request_body: -1 (expected: a number of bytes >= 0, such as 10485760)",
                error("max_request_body: -1\n"));
        assertEquals("max_request_body: \"10MB\" (expected: a number of bytes >= 0, such as 10485760)",
                error("max_request_body: 10MB\n"));
        assertEquals("max_in_flight: 0 (expected: an integer >= 1)", error("max_in_flight: 0\n"));
        assertEquals("idle_timeout: \"0s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
                error("idle_timeout: 0s\n"));
        assertEquals("request_timeout: \"soon\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
                error("request_timeout: soon\n"));
    }

    @Test
    void unknownRetryKeysAreReported() {
        assertEquals(List.of("retries.max_attempt"),
                RunnerConfig.parse("retries:\n  max_attempt: 3\n" + BACKENDS, Map.of()).unknownKeys());
    }
}
