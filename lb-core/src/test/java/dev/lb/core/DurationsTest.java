package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"10s, PT10S", "500ms, PT0.5S", "1m30s, PT1M30S", "' 2h ', PT2H", "0s, PT0S", "1h1m1s1ms, PT1H1M1.001S"})
    void readsWholeNumbersWithUnitsCombined(String text, String iso) {
        assertEquals(Optional.of(Duration.parse(iso)), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "1.5s", "-1s", "10 s", "1s 2s", "10sec", "999999999999999999h"})
    void anythingElseIsEmpty(String text) {
        assertEquals(Optional.empty(), Durations.parse(text));
    }
}
