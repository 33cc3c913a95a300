package dev.lb.core.strategy;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built-in strategies, and every strategy registered as a {@link StrategyProvider}, by name.
 *
 * <p>Providers are discovered once, with {@link ServiceLoader} and this class's class loader. Thread-safe.
 */
public final class Strategies {
    private Strategies() {
    }

    /** A new {@code round-robin} strategy: each eligible backend in turn. */
    public static Strategy roundRobin() {
        return new RoundRobin();
    }

    /** A new {@code least-connections} strategy: the eligible backend with the fewest requests in flight. */
    public static Strategy leastConnections() {
        return new LeastConnections();
    }

    /**
     * A new instance of the strategy registered under {@code name} (case-insensitive; aliases accepted).
     *
     * @throws IllegalArgumentException if no provider has that name; the message lists the known names
     * @throws IllegalStateException    if two providers claim the same name; the message names both classes
     */
    public static Strategy named(String name) {
        return provider(name).create();
    }

    /**
     * A new instance of the strategy registered under {@code name}, configured by {@code options}, e.g.
     * {@code named("consistent-hash", Map.of("hash_key", "header:X-User"))}. No options: as {@link #named(String)}.
     *
     * @throws IllegalArgumentException if no provider has that name (the message lists the known names), an option
     *                                  is not one the strategy takes (the message lists those it takes), or a value
     *                                  is invalid
     * @throws IllegalStateException    if two providers claim the same name; the message names both classes
     */
    public static Strategy named(String name, Map<String, String> options) {
        StrategyProvider provider = provider(name);
        if (options.isEmpty()) {
            return provider.create();
        }
        Set<String> known = new TreeSet<>(provider.optionNames());
        for (String option : options.keySet()) {
            if (!known.contains(option)) {
                throw new IllegalArgumentException("strategy option: \"" + option + "\" is unknown for "
                        + provider.name() + (known.isEmpty() ? " (expected: none; it takes no options)"
                        : " (expected one of: " + String.join(", ", known) + ")"));
            }
        }
        return provider.create(Map.copyOf(options));
    }

    private static StrategyProvider provider(String name) {
        StrategyProvider provider = Registry.providers().get(name.strip().toLowerCase(Locale.ROOT));
        if (provider == null) {
            throw new IllegalArgumentException("strategy: \"" + name + "\" is unknown (expected one of: "
                    + String.join(", ", names()) + ")");
        }
        return provider;
    }

    /**
     * Every name and alias a strategy can be selected by, sorted.
     *
     * @throws IllegalStateException if two providers claim the same name
     */
    public static Set<String> names() {
        return new TreeSet<>(Registry.providers().keySet());
    }

    /**
     * Indexes providers by every name and alias, lower-cased.
     *
     * @throws IllegalStateException if two providers claim the same name
     */
    static Map<String, StrategyProvider> index(Iterable<? extends StrategyProvider> providers) {
        Map<String, StrategyProvider> byName = new HashMap<>();
        for (StrategyProvider provider : providers) {
            Set<String> keys = new TreeSet<>(provider.aliases());
            keys.add(provider.name());
            for (String key : keys) {
                String normalized = key.strip().toLowerCase(Locale.ROOT);
                StrategyProvider previous = byName.putIfAbsent(normalized, provider);
                if (previous != null) {
                    throw new IllegalStateException("strategy: \"" + normalized + "\" is provided by both "
                            + previous.getClass().getName() + " and " + provider.getClass().getName()
                            + " (expected: each strategy name registered once)");
                }
            }
        }
        return Map.copyOf(byName);
    }

    /** Loads the providers on first use; a conflict is remembered and reported on every call. */
    private static final class Registry {
        private static final Map<String, StrategyProvider> PROVIDERS;
        private static final IllegalStateException CONFLICT;

        static {
            Map<String, StrategyProvider> providers = Map.of();
            IllegalStateException conflict = null;
            try {
                providers = index(ServiceLoader.load(StrategyProvider.class, Strategies.class.getClassLoader()));
            } catch (IllegalStateException e) {
                conflict = e;
            }
            PROVIDERS = providers;
            CONFLICT = conflict;
        }

        static Map<String, StrategyProvider> providers() {
            if (CONFLICT != null) {
                throw new IllegalStateException(CONFLICT.getMessage());
            }
            return PROVIDERS;
        }
    }
}
