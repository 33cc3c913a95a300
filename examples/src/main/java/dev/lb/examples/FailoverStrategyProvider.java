package dev.lb.examples;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.List;

/**
 * A strategy plugin, {@code failover}: every request goes to the first eligible backend in configuration order, so
 * the first backend is the primary and the others are backups, used in turn only while those before them are down.
 *
 * <p>Registered in {@code META-INF/services/dev.lb.api.spi.StrategyProvider} (a plugin in a named module would also
 * declare {@code provides dev.lb.api.spi.StrategyProvider with ...}), and selected by name:
 * {@code LoadBalancer.builder().strategy("failover")}, or {@code strategy: failover} in {@code config.yaml}.
 */
public final class FailoverStrategyProvider implements StrategyProvider {
    /** For {@link java.util.ServiceLoader}. */
    public FailoverStrategyProvider() {
    }

    @Override
    public String name() {
        return "failover";
    }

    @Override
    public Strategy create() {
        return new Failover();
    }

    /** Stateless, hence thread-safe; the candidates come in configuration order, the ineligible left out. */
    private static final class Failover implements Strategy {
        @Override
        public Lease pick(List<Candidate> candidates, RequestInfo request) {
            return candidates.get(0).acquire();
        }

        @Override
        public String toString() {
            return "failover";
        }
    }
}
