package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code round-robin}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class RoundRobinProvider implements StrategyProvider {
    static final String NAME = "round-robin";

    /** For {@link java.util.ServiceLoader}. */
    public RoundRobinProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new RoundRobin();
    }
}
