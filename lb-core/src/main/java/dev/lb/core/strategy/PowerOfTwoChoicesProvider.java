package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;

/** Provides {@code p2c}. Public only because {@link java.util.ServiceLoader} requires it. */
public final class PowerOfTwoChoicesProvider implements StrategyProvider {
    static final String NAME = "p2c";

    /** For {@link java.util.ServiceLoader}. */
    public PowerOfTwoChoicesProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new PowerOfTwoChoices();
    }
}
