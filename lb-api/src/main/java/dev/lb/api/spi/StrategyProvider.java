package dev.lb.api.spi;

import java.util.Map;
import java.util.Set;

/**
 * Makes a {@link Strategy} available by name. Register implementations with {@code java.util.ServiceLoader}: a
 * line in {@code META-INF/services/dev.lb.api.spi.StrategyProvider} and, in a named module,
 * {@code provides dev.lb.api.spi.StrategyProvider with ...}.
 *
 * <p>Names are matched case-insensitively. Two providers claiming the same name (or alias) make
 * {@code start()} fail, naming both classes.
 */
public interface StrategyProvider {
    /** The name users select the strategy by, e.g. {@code round-robin}. */
    String name();

    /** Other names accepted for this strategy; none by default. */
    default Set<String> aliases() {
        return Set.of();
    }

    /** A new strategy instance for one load balancer, with default options. */
    Strategy create();

    /** The option names {@link #create(Map)} understands, e.g. {@code hash_key}; none by default. */
    default Set<String> optionNames() {
        return Set.of();
    }

    /**
     * A new strategy instance for one load balancer, configured by options given as text, e.g.
     * {@code {"hash_key": "header:X-User"}}. The load balancer rejects names not in {@link #optionNames()} before
     * calling this, so an implementation checks only the values. The default takes no options.
     *
     * @throws IllegalArgumentException if a value is invalid, with a message in the form
     *                                  {@code strategy option hash_key: "x" (expected: ...)}; or, by default, if
     *                                  any option is given
     */
    default Strategy create(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("strategy options: " + options.keySet() + " (expected: none; "
                    + name() + " takes no options)");
        }
        return create();
    }
}
