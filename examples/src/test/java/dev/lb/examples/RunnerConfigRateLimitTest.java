package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lb.core.LoadBalancer;
import dev.lb.examples.RunnerConfig.RateLimit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code rate_limit} block of {@code config.yaml}. */
class RunnerConfigRateLimitTest {
    private static final String BACKENDS = "backends:\n  - \"http://127.0.0.1:9001\"\n";

    private static RunnerConfig parse(String yaml) {
        return RunnerConfig.parse(yaml, Map.of());
    }

    @Test
    void withoutRateLimitTheGoOriginalsLimitApplies() {
        RunnerConfig config = parse(BACKENDS);

        assertEquals(new RateLimit(true, 10, 20, List.of(), 100_000), config.rateLimit());
        try (LoadBalancer lb = config.loadBalancerBuilder().start()) {
            assertEquals(0, lb.rateLimitStats().orElseThrow().trackedKeys(), "rate limiting is on");
        }
    }

    @Test
    void everyKeyCanBeSet() {
        RunnerConfig config = parse(BACKENDS + "rate_limit:\n  rate: 0.5\n  burst: 3\n"
                + "  trusted_proxies: [\"10.0.0.0/8\", \"fd00::/8\"]\n  max_clients: 5000\n  enabled: true\n");

        assertEquals(new RateLimit(true, 0.5, 3, List.of("10.0.0.0/8", "fd00::/8"), 5_000), config.rateLimit());
    }

    @Test
    void keysLeftOutKeepTheGoOriginalsValues() {
        assertEquals(new RateLimit(true, 100, 20, List.of(), 100_000),
                parse(BACKENDS + "rate_limit: {rate: 100}\n").rateLimit());
        assertEquals(new RateLimit(true, 10, 20, List.of("192.168.1.10"), 100_000),
                parse(BACKENDS + "rate_limit:\n  trusted_proxies:\n    - 192.168.1.10\n").rateLimit());
    }

    @Test
    void enabledFalseTurnsRateLimitingOff() {
        RunnerConfig config = parse(BACKENDS + "rate_limit: {enabled: false}\n");

        assertFalse(config.rateLimit().enabled());
        try (LoadBalancer lb = config.loadBalancerBuilder().start()) {
            assertEquals(Optional.empty(), lb.rateLimitStats());
        }
    }

    @Test
    void theBenchmarkRigsBackendsHaveNoRateLimit() {
        assertEquals(RateLimit.OFF, RunnerConfig.ofBackends("http://127.0.0.1:9001", Map.of()).rateLimit());
    }

    @Test
    void unknownKeysInsideTheBlockAreReportedNotFatal() {
        RunnerConfig config = parse(BACKENDS + "rate_limit: {rate: 5, brust: 30, per_ip: true}\n");

        assertEquals(List.of("rate_limit.brust", "rate_limit.per_ip"), config.unknownKeys());
        assertEquals(20, config.rateLimit().burst());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "rate_limit:                            | rate_limit: none (expected: a mapping such as {rate: 10, burst: 20})",
            "rate_limit: 10                         | rate_limit: 10 (expected: a mapping such as {rate: 10, burst: 20})",
            "rate_limit: {rate: 0}                  | rate_limit.rate: 0 (expected: a number > 0 such as 10 or 0.5)",
            "rate_limit: {rate: -1.5}               | rate_limit.rate: -1.5 (expected: a number > 0 such as 10 or 0.5)",
            "rate_limit: {rate: ten}                | rate_limit.rate: \"ten\" (expected: a number > 0 such as 10 or 0.5)",
            "rate_limit: {rate: \"10\"}             | rate_limit.rate: \"10\" (expected: a number > 0 such as 10 or 0.5)",
            "rate_limit: {rate: .nan}               | rate_limit.rate: NaN (expected: a number > 0 such as 10 or 0.5)",
            "rate_limit: {rate: 5000000}            | rate_limit.rate: 5000000.0 (expected: <= 1000000)",
            "rate_limit: {burst: 0}                 | rate_limit.burst: 0 (expected: an integer from 1 to 2147483647)",
            "rate_limit: {burst: 2.5}               | rate_limit.burst: 2.5 (expected: an integer from 1 to 2147483647)",
            "rate_limit: {max_clients: 0}           | rate_limit.max_clients: 0 (expected: an integer from 1 to 2147483647)",
            "rate_limit: {max_clients: 9999999999}  | rate_limit.max_clients: 9999999999 (expected: an integer from 1 to 2147483647)",
            "rate_limit: {enabled: yes}             | rate_limit.enabled: \"yes\" (expected: true or false)",
            "rate_limit: {trusted_proxies: 10.0.0.0/8} | rate_limit.trusted_proxies: \"10.0.0.0/8\" (expected: a list of addresses or CIDR blocks such as [\"10.0.0.0/8\"])",
            "rate_limit: {trusted_proxies: [10.0.0.0/8, 7]} | rate_limit.trusted_proxies[1]: 7 (expected: an address or CIDR block such as \"10.0.0.0/8\")",
            "rate_limit: {trusted_proxies: [10.0.0.0/33]} | rate_limit.trusted_proxies: \"10.0.0.0/33\" (expected: a prefix length from 0 to 32 for IPv4)",
            "rate_limit: {trusted_proxies: [proxy.lan]} | rate_limit.trusted_proxies: \"proxy.lan\" (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)",
    })
    void invalidValuesFailWithOneLineNamingTheKey(String line, String expected) {
        String message = assertThrows(IllegalArgumentException.class, () -> parse(line + "\n" + BACKENDS))
                .getMessage();

        assertEquals(expected, message);
        assertEquals(1, message.lines().count());
    }
}
