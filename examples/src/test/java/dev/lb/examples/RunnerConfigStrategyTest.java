package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code strategy_options} and {@code slow_start} keys of {@code config.yaml}. */
class RunnerConfigStrategyTest {
    private static final String BACKENDS = "backends:\n  - \"http://127.0.0.1:9001\"\n";

    private static RunnerConfig parse(String yaml) {
        return RunnerConfig.parse(yaml, Map.of());
    }

    @Test
    void withoutTheKeysThereAreNoOptionsAndNoSlowStart() {
        RunnerConfig config = parse(BACKENDS);
        assertEquals(Map.of(), config.strategyOptions());
        assertEquals(Duration.ZERO, config.slowStart());
        assertTrue(config.unknownKeys().isEmpty());
    }

    @Test
    void consistentHashTakesItsKeyAndTheLoadBalancerStartsWithIt() {
        RunnerConfig config = parse("strategy: consistent-hash\nstrategy_options:\n  hash_key: \"header:X-User\"\n"
                + "slow_start: 30s\n" + BACKENDS);
        assertEquals(Map.of("hash_key", "header:X-User"), config.strategyOptions());
        assertEquals(Duration.ofSeconds(30), config.slowStart());
        try (LoadBalancer lb = config.loadBalancerBuilder().start()) {
            assertEquals("consistent-hash", lb.strategy().toString());
        }
    }

    @Test
    void ewmaTakesItsDecayInTheFlowStyleToo() {
        RunnerConfig config = parse("strategy: ewma\nstrategy_options: {decay: 1m30s}\n" + BACKENDS);
        assertEquals(Map.of("decay", "1m30s"), config.strategyOptions());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "strategy: consistent-hash\\nstrategy_options: {hash_key: \"cookie:\"} | strategy_options.hash_key: \"cookie:\" "
                    + "(expected: client_address, path, header:<name> or cookie:<name>, e.g. header:X-User)",
            "strategy: consistent-hash\\nstrategy_options: {hash_kye: path}        | strategy_options: \"hash_kye\" is "
                    + "unknown for consistent-hash (expected one of: hash_key)",
            "strategy: round-robin\\nstrategy_options: {hash_key: path}          | strategy_options: \"hash_key\" is "
                    + "unknown for round-robin (expected: none; it takes no options)",
            "strategy: ewma\\nstrategy_options: {decay: 0s}                      | strategy_options.decay: \"0s\" "
                    + "(expected: a duration > 0 such as 10s, 500ms or 1m30s)",
            "strategy: ewma\\nstrategy_options: {decay: [1s]}                    | strategy_options.decay: a list "
                    + "(expected: a single value such as \"header:X-User\" or 10s)",
            "strategy_options: header                                           | strategy_options: \"header\" "
                    + "(expected: a mapping of the strategy's options, such as {hash_key: \"header:X-User\"})",
            "slow_start: 30                                                     | slow_start: 30 (expected: a duration "
                    + "such as 10s, 500ms, 1m or 1m30s)",
            "slow_start: -5s                                                    | slow_start: \"-5s\" (expected: a "
                    + "duration such as 10s, 500ms, 1m or 1m30s)",
    })
    void aBadValueNamesTheKeyTheValueAndWhatIsExpected(String yaml, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(yaml.replace("\\n", "\n") + "\n" + BACKENDS));
        assertEquals(message, e.getMessage());
    }

    @Test
    void slowStartZeroIsOff() {
        assertEquals(Duration.ZERO, parse("slow_start: 0s\n" + BACKENDS).slowStart());
        assertEquals(List.of(), parse("slow_start: 0s\n" + BACKENDS).unknownKeys());
    }
}
