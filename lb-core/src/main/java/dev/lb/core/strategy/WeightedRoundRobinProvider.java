package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code weighted-round-robin}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class WeightedRoundRobinProvider implements StrategyProvider {
    static final String NAME = "weighted-round-robin";

    /** For {@link java.util.ServiceLoader}. */
    public WeightedRoundRobinProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new WeightedRoundRobin();
    }
}
