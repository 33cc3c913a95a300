package dev.lb.api.spi;

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

    /** A new strategy instance for one load balancer. */
    Strategy create();
}
