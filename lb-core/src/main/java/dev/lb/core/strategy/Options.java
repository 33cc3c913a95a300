package dev.lb.core.strategy;

import dev.lb.core.Durations;
import java.time.Duration;

/** Reads the built-in strategies' option values, failing in the one message style. */
final class Options {
    private Options() {
    }

    /**
     * A duration > 0 written as whole numbers with units, as in {@code config.yaml}: {@code 10s}, {@code 500ms},
     * {@code 1m}, {@code 1m30s}, {@code 1h}.
     */
    static Duration positiveDuration(String option, String value) {
        return Durations.parse(value).filter(duration -> !duration.isZero())
                .orElseThrow(() -> invalid(option, value, "a duration > 0 such as 10s, 500ms or 1m30s"));
    }

    /** The message for a bad value: {@code strategy option decay: "0s" (expected: ...)}. */
    static IllegalArgumentException invalid(String option, String value, String expected) {
        return new IllegalArgumentException("strategy option " + option + ": \"" + value + "\" (expected: " + expected
                + ")");
    }
}
