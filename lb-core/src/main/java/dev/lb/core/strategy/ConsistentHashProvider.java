package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code consistent-hash}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class ConsistentHashProvider implements StrategyProvider {
    static final String NAME = "consistent-hash";

    /** For {@link java.util.ServiceLoader}. */
    public ConsistentHashProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new ConsistentHash();
    }
}
