package dev.lb.core;

import java.time.Duration;
import java.util.Objects;

/** The argument checks the builders share, with the one message style: {@code field: value (expected: ...)}. */
final class Checks {
    private Checks() {
    }

    static Duration positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    static Duration notNegative(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: >= 0; 0 turns it off)");
        }
        return value;
    }

    static int atLeastOne(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": " + value + " (expected: >= 1)");
        }
        return value;
    }
}
