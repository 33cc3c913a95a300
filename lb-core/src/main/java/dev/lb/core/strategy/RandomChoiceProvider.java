package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code random}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class RandomChoiceProvider implements StrategyProvider {
    static final String NAME = "random";

    /** For {@link java.util.ServiceLoader}. */
    public RandomChoiceProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new RandomChoice();
    }
}
