package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltInStrategiesKitTest {
    static Stream<StrategyKit> builtIns() {
        return Stream.of(
                StrategyKit.of(new RoundRobinProvider()),
                StrategyKit.of(new RandomChoiceProvider()),
                StrategyKit.of(new WeightedRoundRobinProvider()).weightAware(),
                StrategyKit.of(new WeightedRandomProvider()).weightAware(),
                StrategyKit.of(new LeastConnectionsProvider()).weightAware(),
                StrategyKit.of(new PowerOfTwoChoicesProvider()).weightAware(),
                StrategyKit.of(new PeakEwmaProvider()).weightAware(),
                StrategyKit.of(new ConsistentHashProvider()).weightAware().hashing());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    void everyBuiltInStrategyPassesTheKit(StrategyKit kit) throws InterruptedException {
        kit.checkAll();
    }

    @Test
    void theKitCoversEveryRegisteredBuiltIn() {
        Set<String> covered = new TreeSet<>();
        builtIns().map(StrategyKit::provider).forEach(p -> {
            covered.add(p.name());
            covered.addAll(p.aliases());
        });
        assertEquals(Strategies.names(), covered);
    }

    @Test
    void theKitCatchesAStrategyThatPicksOutsideItsCandidates() {
        StrategyProvider leaky = new StrategiesTest.Impostor() {
            private final List<Candidate> first = new ArrayList<>();

            @Override
            public Strategy create() {
                // Remembers the first list it saw and keeps picking from it: a stale-pool bug.
                return (candidates, request) -> {
                    if (first.isEmpty()) {
                        first.addAll(candidates);
                    }
                    return first.get(first.size() - 1).acquire();
                };
            }
        };
        assertThrows(AssertionError.class,
                () -> StrategyKit.of(leaky).checkPicksOnlyAmongCandidates());
    }

    @Test
    void theKitCatchesAStrategyThatAcquiresTwice() {
        StrategyProvider greedy = new StrategiesTest.Impostor() {
            @Override
            public Strategy create() {
                return (candidates, request) -> {
                    candidates.get(0).acquire();
                    return candidates.get(0).acquire();
                };
            }
        };
        assertThrows(AssertionError.class,
                () -> StrategyKit.of(greedy).checkOneAcquirePerPick());
    }

    @Test
    void theKitCatchesAHashThatReshufflesEveryKey() {
        StrategyProvider modulo = new StrategiesTest.Impostor() {
            @Override
            public Strategy create() {
                return (candidates, request) -> candidates.get(Math.floorMod(
                        request.remoteAddress().getAddress().hashCode(), candidates.size())).acquire();
            }
        };
        assertThrows(AssertionError.class,
                () -> StrategyKit.of(modulo).checkRemovingOneBackendMovesFewKeys());
    }

    @Test
    void theKitCatchesAStrategyThatIgnoresSlowStart() {
        StrategyProvider configuredWeightsOnly = new StrategiesTest.Impostor() {
            @Override
            public Strategy create() {
                // Weighted random on the configured weights, blind to slow start.
                return (candidates, request) -> {
                    int point = ThreadLocalRandom.current().nextInt(
                            candidates.stream().mapToInt(c -> c.backend().weight()).sum());
                    for (Candidate candidate : candidates) {
                        point -= candidate.backend().weight();
                        if (point < 0) {
                            return candidate.acquire();
                        }
                    }
                    throw new AssertionError("unreachable");
                };
            }
        };
        assertThrows(AssertionError.class,
                () -> StrategyKit.of(configuredWeightsOnly).checkEffectiveWeightsAreHonoured());
    }

    @Test
    void theKitCatchesAStrategyThatIgnoresWeights() {
        assertThrows(AssertionError.class,
                () -> StrategyKit.of(new RoundRobinProvider()).weightAware().checkWeightsAreHonoured());
    }
}
