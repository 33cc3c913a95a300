package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code weighted-random}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class WeightedRandomProvider implements StrategyProvider {
    static final String NAME = "weighted-random";

    /** For {@link java.util.ServiceLoader}. */
    public WeightedRandomProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new WeightedRandom();
    }
}
