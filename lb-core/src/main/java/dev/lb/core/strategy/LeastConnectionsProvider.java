package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.Set;

/**
 * Provides {@code least-connections}, also accepted as {@code least-connection} (the Go original's name).
 * Public only because {@link java.util.ServiceLoader} requires it.
 */
public final class LeastConnectionsProvider implements StrategyProvider {
    static final String NAME = "least-connections";

    /** For {@link java.util.ServiceLoader}. */
    public LeastConnectionsProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aliases() {
        return Set.of("least-connection");
    }

    @Override
    public Strategy create() {
        return new LeastConnections();
    }
}
