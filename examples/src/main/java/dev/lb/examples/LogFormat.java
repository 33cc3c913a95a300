package dev.lb.examples;

import java.util.Locale;
import java.util.Map;

/**
 * Chooses the runner's log format from the environment, as the Go original did, by setting the system property
 * {@value #PROPERTY} that the runner's {@code logback.xml} reads: {@code json} when {@code LOG_FORMAT=json}, or
 * when {@code LOG_ENV=prod} and {@code LOG_FORMAT} is not set; {@code console} otherwise. A value already given
 * with {@code -D} wins.
 */
final class LogFormat {
    static final String PROPERTY = "lb.log.format";

    private LogFormat() {
    }

    /** Sets {@value #PROPERTY}, unless already set; must run before the first logger is created. */
    static void select(Map<String, String> env) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, of(env));
        }
    }

    /** {@code json} or {@code console}, for this environment. */
    static String of(Map<String, String> env) {
        String format = env.get("LOG_FORMAT");
        if (format != null && !format.isBlank()) {
            return format.strip().toLowerCase(Locale.ROOT).equals("json") ? "json" : "console";
        }
        return "prod".equalsIgnoreCase(env.getOrDefault("LOG_ENV", "").strip()) ? "json" : "console";
    }
}
