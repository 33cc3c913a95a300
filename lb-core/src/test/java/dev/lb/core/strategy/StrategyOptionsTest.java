package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lb.core.internal.LatencyDecay;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrategyOptionsTest {
    @Test
    void anUnknownOptionIsNamedWithTheOnesTheStrategyTakes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.named("consistent-hash", Map.of("hash_kye", "path")));
        assertEquals("strategy option: \"hash_kye\" is unknown for consistent-hash (expected one of: hash_key)",
                e.getMessage());
    }

    @Test
    void aStrategyWithoutOptionsRejectsAnyByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.named("P2C", Map.of("decay", "5s")));
        assertEquals("strategy option: \"decay\" is unknown for p2c (expected: none; it takes no options)",
                e.getMessage());
    }

    @Test
    void aProviderWithoutOptionsRejectsThemWhenCalledDirectly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RoundRobinProvider().create(Map.of("weights", "on")));
        assertEquals("strategy options: [weights] (expected: none; round-robin takes no options)", e.getMessage());
    }

    @Test
    void noOptionsGiveTheDefaults() {
        assertEquals(LatencyDecay.DEFAULT,
                ((LatencyDecay) Strategies.named("ewma", Map.of())).latencyDecay());
    }

    @Test
    void ewmaTakesItsDecayTime() {
        assertEquals(Duration.ofMillis(500),
                ((LatencyDecay) Strategies.named("ewma", Map.of("decay", "500ms"))).latencyDecay());
        assertEquals(Duration.ofSeconds(90),
                ((LatencyDecay) Strategies.named("ewma", Map.of("decay", " 1m30s "))).latencyDecay());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "10", "1d", "-5s", "", "1.5s", "s10", "1m 30s", "999999999h"})
    void aBadDecayIsRejectedSayingWhatIsExpected(String decay) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.named("ewma", Map.of("decay", decay)));
        assertEquals("strategy option decay: \"" + decay + "\" (expected: a duration > 0 such as 10s, 500ms or 1m30s)",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cookie:", "header:", "header:X User", "query", "path:/a", "client_address:x",
        "Header:X-User", ""})
    void aBadHashKeyIsRejectedSayingWhatIsExpected(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.named("consistent-hash", Map.of("hash_key", key)));
        assertEquals("strategy option hash_key: \"" + key + "\" (expected: client_address, path, header:<name> or "
                + "cookie:<name>, e.g. header:X-User)", e.getMessage());
    }
}
