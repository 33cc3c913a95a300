package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.strategy.StrategySimulation.BackendModel;
import dev.lb.core.strategy.StrategySimulation.Result;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three backends, one ten times slower, under a load the pool can carry only if the slow one gets less than its
 * third: see {@link #LOAD} for why that load. Prints the table; run alone with
 * {@code mvn -q -o test -pl lb-core -Dtest=StrategySimulationTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StrategySimulationTest {
    /** Ten workers each: the fast ones serve up to 1,000 requests/s, the slow one 100. */
    private static final List<BackendModel> BACKENDS = List.of(
            new BackendModel("fast-a 10ms", 10, 10, 0.5),
            new BackendModel("fast-b 10ms", 10, 10, 0.5),
            new BackendModel("slow-c 100ms", 10, 100, 0.5));
    /**
     * 290 requests/s, the load where a slow backend hurts most in practice: an even split gives it 97/s of the
     * 100/s it can serve, so its queue adds to its already slow answers and a third of all requests wait in it,
     * while the pool as a whole is only 14% busy and a strategy that sends the slow one less has ample room
     * elsewhere. p2c sees that queue as requests in flight and moves traffic off it; it balances in-flight counts,
     * not latency, so the slow backend still gets about a tenth of the requests (equal counts in flight mean a
     * tenth of the rate at ten times the latency) and p2c's p99 is the slow backend's own tail without the queue.
     * ewma sees the latency itself and sends it about 1%, so its p99 is near the fast backends'. At a light load,
     * say 30/s, nobody queues and p2c, whose in-flight counts are then mostly 0, splits nearly as evenly as round
     * robin; above 300/s round robin overloads the slow backend and its p99 grows without bound.
     */
    private static final double LOAD = 290;
    private static final int REQUESTS = 100_000;

    private final StrategySimulation simulation = new StrategySimulation(BACKENDS, LOAD, REQUESTS, 42);

    @Test
    void p2cAndEwmaCutTheP99WellBelowRoundRobinsWithOneBackendTenTimesSlower() {
        List<Result> results = simulation.runAll();
        System.out.printf("%,d requests at %.0f/s, seed 42%n%s", REQUESTS, LOAD, simulation.table(results));
        Map<String, Result> byName = results.stream().collect(Collectors.toMap(Result::strategy, Function.identity()));
        double roundRobin = byName.get("round-robin").p99Ms();
        assertTrue(byName.get("p2c").p99Ms() < roundRobin / 2, "p2c p99 vs round-robin's " + roundRobin);
        assertTrue(byName.get("ewma").p99Ms() < roundRobin / 5, "ewma p99 vs round-robin's " + roundRobin);
        assertTrue(byName.get("ewma").shares()[2] < byName.get("p2c").shares()[2],
                "ewma, which sees latency, sends the slow backend less than p2c, which sees only load");
    }

    @Test
    void aRunRepeatsExactlyFromItsSeed() {
        StrategySimulation small = new StrategySimulation(BACKENDS, LOAD, 5_000, 7);
        Result first = small.run("p2c", new PowerOfTwoChoices(seeded(3)));
        Result again = small.run("p2c", new PowerOfTwoChoices(seeded(3)));
        assertEquals(first.p99Ms(), again.p99Ms());
        assertEquals(first.shares()[2], again.shares()[2]);
    }

    @Test
    void everyRegisteredBuiltInIsSimulated() {
        Set<String> names = new TreeSet<>(Strategies.names());
        names.remove("least-connection"); // an alias
        assertEquals(names, new TreeSet<>(StrategySimulation.builtIns(seeded(1)).keySet()));
    }

    private static Supplier<Random> seeded(long seed) {
        Random random = new Random(seed);
        return () -> random;
    }
}
