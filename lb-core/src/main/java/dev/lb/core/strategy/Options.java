package dev.lb.core.strategy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the built-in strategies' option values, failing in the one message style. */
final class Options {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    private Options() {
    }

    /** A duration > 0 written as a whole number and a unit: {@code 10s}, {@code 500ms}, {@code 1m}. */
    static Duration positiveDuration(String option, String value) {
        Matcher matcher = DURATION.matcher(value.strip());
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            Duration duration = switch (matcher.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            };
            if (!duration.isZero()) {
                return duration;
            }
        }
        throw invalid(option, value, "a duration > 0 such as 10s, 500ms or 1m");
    }

    /** The message for a bad value: {@code strategy option decay: "0s" (expected: ...)}. */
    static IllegalArgumentException invalid(String option, String value, String expected) {
        return new IllegalArgumentException("strategy option " + option + ": \"" + value + "\" (expected: " + expected
                + ")");
    }
}
