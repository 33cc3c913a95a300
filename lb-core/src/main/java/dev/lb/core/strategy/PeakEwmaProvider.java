package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import dev.lb.core.internal.LatencyDecay;
import java.util.Map;
import java.util.Set;

/**
 * Provides {@code ewma}. Option {@code decay}: how fast the latency estimates forget, a duration such as
 * {@code 10s} (the default), {@code 500ms} or {@code 1m30s}. Public only because {@link java.util.ServiceLoader}
 * requires it.
 */
public final class PeakEwmaProvider implements StrategyProvider {
    static final String NAME = "ewma";
    static final String DECAY = "decay";

    /** For {@link java.util.ServiceLoader}. */
    public PeakEwmaProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Strategy create() {
        return new PeakEwma(LatencyDecay.DEFAULT);
    }

    @Override
    public Set<String> optionNames() {
        return Set.of(DECAY);
    }

    @Override
    public Strategy create(Map<String, String> options) {
        String decay = options.get(DECAY);
        return decay == null ? create() : new PeakEwma(Options.positiveDuration(DECAY, decay));
    }
}
