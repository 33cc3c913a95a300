package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrategiesTest {
    @Test
    void builtInStrategiesAreFoundByNameAndAlias() {
        assertTrue(Strategies.names().containsAll(Set.of("round-robin", "least-connections", "least-connection")));
        assertInstanceOf(RoundRobin.class, Strategies.named("round-robin"));
        assertInstanceOf(LeastConnections.class, Strategies.named("least-connections"));
        assertInstanceOf(LeastConnections.class, Strategies.named("least-connection"));
        assertInstanceOf(LeastConnections.class, Strategies.named(" Least-Connections "));
        assertInstanceOf(WeightedRoundRobin.class, Strategies.named("weighted-round-robin"));
        assertInstanceOf(RandomChoice.class, Strategies.named("random"));
        assertInstanceOf(WeightedRandom.class, Strategies.named("weighted-random"));
        assertInstanceOf(PowerOfTwoChoices.class, Strategies.named("p2c"));
        assertInstanceOf(ConsistentHash.class, Strategies.named("consistent-hash"));
    }

    @Test
    void eachLookupMakesAFreshInstance() {
        assertNotSame(Strategies.named("round-robin"), Strategies.named("round-robin"));
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Strategies.named("fastest"));
        assertTrue(e.getMessage().startsWith("strategy: \"fastest\" is unknown (expected one of: "), e.getMessage());
        assertTrue(e.getMessage().contains("consistent-hash, ewma, least-connection, least-connections, p2c, random, "
                + "round-robin, weighted-random, weighted-round-robin)"), e.getMessage());
    }

    @Test
    void twoProvidersClaimingOneNameFailNamingBothClasses() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Strategies.index(List.of(new RoundRobinProvider(), new Impostor())));
        assertEquals("strategy: \"round-robin\" is provided by both " + RoundRobinProvider.class.getName()
                + " and " + Impostor.class.getName() + " (expected: each strategy name registered once)",
                e.getMessage());
    }

    @Test
    void anAliasClashingWithAnotherNameIsAConflictToo() {
        StrategyProvider aliasing = new Impostor() {
            @Override
            public String name() {
                return "mine";
            }

            @Override
            public Set<String> aliases() {
                return Set.of("Least-Connection");
            }
        };
        assertThrows(IllegalStateException.class,
                () -> Strategies.index(List.of(new LeastConnectionsProvider(), aliasing)));
    }

    static class Impostor implements StrategyProvider {
        @Override
        public String name() {
            return "round-robin";
        }

        @Override
        public Strategy create() {
            return (candidates, request) -> candidates.get(0).acquire();
        }
    }
}
