package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.Map;
import java.util.Set;

/**
 * Provides {@code consistent-hash}. Option {@code hash_key}: {@code client_address} (the default),
 * {@code header:<name>}, {@code cookie:<name>} or {@code path}; a request lacking the header or cookie is keyed by
 * its client address. Public only because {@link java.util.ServiceLoader} requires it.
 */
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
        return new ConsistentHash(HashKey.CLIENT_ADDRESS);
    }

    @Override
    public Set<String> optionNames() {
        return Set.of(HashKey.OPTION);
    }

    @Override
    public Strategy create(Map<String, String> options) {
        String key = options.get(HashKey.OPTION);
        return key == null ? create() : new ConsistentHash(HashKey.parse(key));
    }
}
