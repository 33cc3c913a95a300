package dev.lb.core.strategy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the built-in strategies' option values, failing in the one message style. */
final class Options {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    /** What the clock arithmetic in nanoseconds holds: about 292 years. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private Options() {
    }

    /**
     * A duration > 0 written as whole numbers with units, as in {@code config.yaml}: {@code 10s}, {@code 500ms},
     * {@code 1m}, {@code 1m30s}, {@code 1h}.
     */
    static Duration positiveDuration(String option, String value) {
        String text = value.strip();
        Matcher part = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            });
            end = part.end();
        }
        if (end == 0 || end != text.length() || total.isZero() || total.compareTo(LONGEST) > 0) {
            throw invalid(option, value, "a duration > 0 such as 10s, 500ms or 1m30s");
        }
        return total;
    }

    /** The message for a bad value: {@code strategy option decay: "0s" (expected: ...)}. */
    static IllegalArgumentException invalid(String option, String value, String expected) {
        return new IllegalArgumentException("strategy option " + option + ": \"" + value + "\" (expected: " + expected
                + ")");
    }
}
