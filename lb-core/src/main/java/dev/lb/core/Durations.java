package dev.lb.core;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as configuration files write them: whole numbers with a unit, {@code h}, {@code m}, {@code s} or
 * {@code ms}, optionally combined, as in {@code 10s}, {@code 500ms} or {@code 1m30s}. Shared by strategy options
 * and the standalone runner's {@code config.yaml}, so both accept exactly the same text.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,18})(ms|s|m|h)");
    /** What clock arithmetic in nanoseconds holds: about 292 years. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private Durations() {
    }

    /**
     * The duration {@code text} writes (surrounding blanks ignored), or empty when it is not in the format or longer
     * than about 292 years. {@code 0s} is a valid zero.
     */
    public static Optional<Duration> parse(String text) {
        String trimmed = text.strip();
        Matcher part = PART.matcher(trimmed);
        Duration total = Duration.ZERO;
        int end = 0;
        try {
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
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
        if (end == 0 || end != trimmed.length() || total.compareTo(LONGEST) > 0) {
            return Optional.empty();
        }
        return Optional.of(total);
    }
}
