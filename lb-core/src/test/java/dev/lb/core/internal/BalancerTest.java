package dev.lb.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.core.TestRequests;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import dev.lb.core.HealthCheck;
import dev.lb.core.strategy.Strategies;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancerTest {
    private static final Backend A = Backend.of("http://127.0.0.1:9001");
    private static final Backend B = Backend.of("http://127.0.0.1:9002");
    private static final Backend C = Backend.of("http://127.0.0.1:9003");
    private static final RequestInfo REQUEST = TestRequests.GET;

    @Test
    void roundRobinSkipsAnUnhealthyBackendAndStaysEvenOverTheRest() {
        Balancer balancer = balancer(Strategies.roundRobin(), A, B, C);
        markDown(balancer, B);

        List<Backend> picked = pick(balancer, 6);

        assertEquals(List.of(A, C, A, C, A, C), picked);
        assertEquals(2, balancer.eligibleCount());
    }

    @Test
    void aBackendBackUpTakesTrafficAgain() {
        Balancer balancer = balancer(Strategies.roundRobin(), A, B);
        markDown(balancer, B);
        balancer.probed(member(balancer, B), true, "");

        assertEquals(List.of(A, B, A, B), pick(balancer, 4));
    }

    @Test
    void nothingIsPickedWhenNoBackendIsUp() {
        Balancer balancer = balancer(Strategies.leastConnections(), A, B);
        markDown(balancer, A);
        markDown(balancer, B);

        assertNull(balancer.pick(REQUEST));
    }

    @Test
    void leasesCountRequestsInFlightUntilReleased() {
        Balancer balancer = balancer(Strategies.leastConnections(), A, B);
        MemberLease first = balancer.pick(REQUEST);
        MemberLease second = balancer.pick(REQUEST);
        assertEquals(List.of(1, 1), inFlight(balancer));

        first.release();
        first.release();
        assertEquals(1, inFlight(balancer).stream().mapToInt(Integer::intValue).sum(), "release is idempotent");
        second.release();
        assertEquals(List.of(0, 0), inFlight(balancer));
    }

    @Test
    void inFlightCountsSurviveAHealthChange() {
        Balancer balancer = balancer(Strategies.roundRobin(), A, B);
        MemberLease lease = balancer.pick(REQUEST);
        markDown(balancer, lease.backend());
        assertEquals(1, inFlight(balancer).stream().mapToInt(Integer::intValue).sum());
        lease.release();
        assertEquals(List.of(0, 0), inFlight(balancer));
    }

    @Test
    void aBackendAtItsInFlightLimitIsPassedOverAndAFullPoolPicksNothing() {
        Balancer balancer = new Balancer(Strategies.leastConnections(), List.of(A, B),
                Balancer.Settings.defaults().withMaxInFlightPerBackend(2), new ManualScheduler());
        MemberLease a1 = balancer.pick(REQUEST);
        MemberLease b1 = balancer.pick(REQUEST);
        MemberLease a2 = balancer.pick(REQUEST);
        MemberLease b2 = balancer.pick(REQUEST);
        assertEquals(List.of(2, 2), inFlight(balancer));

        assertNull(balancer.pick(REQUEST), "both at 2");
        assertTrue(balancer.saturated(), "nothing picked because of the limit, not health");
        assertEquals(List.of(2, 2), inFlight(balancer), "a refused pick leaves no count behind");

        b2.release();
        assertEquals(B, balancer.pick(REQUEST).backend(), "room again on B only");
        a1.release();
        b1.release();
        a2.release();
    }

    @Test
    void aStrategyIgnoringTheLimitIsOverruledByAPickAmongBackendsWithRoom() {
        Balancer balancer = new Balancer((candidates, request) -> candidates.get(0).acquire(), List.of(A, B),
                Balancer.Settings.defaults().withMaxInFlightPerBackend(1), new ManualScheduler());
        MemberLease first = balancer.pick(REQUEST);
        assertEquals(A, first.backend());
        assertEquals(B, balancer.pick(REQUEST).backend(), "A is full: asked again among those with room");
        assertNull(balancer.pick(REQUEST));
    }

    @Test
    void aStrategyThatThrowsIsContainedAndTrafficRotates() {
        Balancer balancer = balancer((candidates, request) -> {
            throw new IllegalStateException("plugin bug");
        }, A, B);

        assertEquals(List.of(A, B, A), pick(balancer, 3));
    }

    @Test
    void aStrategyReturningAForeignLeaseIsContained() {
        Lease forged = () -> C;
        Balancer balancer = balancer((candidates, request) -> forged, A, B);

        assertEquals(List.of(A, B), pick(balancer, 2));
        assertEquals(List.of(1, 1), inFlight(balancer));
    }

    @Test
    void consistentHashFallsOverToTheNextChoiceWhileItsBackendIsDownAndReturnsAfter() {
        Backend d = Backend.of("http://127.0.0.1:9004");
        Balancer balancer = balancer(Strategies.named("consistent-hash", Map.of("hash_key", "header:X-User")),
                A, B, C, d);
        for (int user = 0; user < 100; user++) {
            RequestInfo request = RequestInfo.of("GET", "/", new InetSocketAddress("10.1.0." + user, 5000),
                    Map.of("X-User", List.of("user-" + user)));
            Backend usual = pickAndRelease(balancer, request);
            markDown(balancer, usual);
            Backend next = pickAndRelease(balancer, request);
            assertNotEquals(usual, next);
            assertEquals(next, pickAndRelease(balancer, request), "the next choice is stable too");
            balancer.probed(member(balancer, usual), true, "");
            assertEquals(usual, pickAndRelease(balancer, request), "back up: the user returns");
        }
    }

    /** A balancer whose active checks take a backend down after one failed probe and up after one passing. */
    private static Balancer balancer(Strategy strategy, Backend... backends) {
        return new Balancer(strategy, List.of(backends),
                Balancer.Settings.defaults().withActive(HealthCheck.builder().rise(1).fall(1).build()),
                new ManualScheduler());
    }

    private static void markDown(Balancer balancer, Backend backend) {
        balancer.probed(member(balancer, backend), false, "probe answered 500");
    }

    private static Member member(Balancer balancer, Backend backend) {
        return balancer.members().stream().filter(m -> m.backend().equals(backend)).findFirst().orElseThrow();
    }

    private static Backend pickAndRelease(Balancer balancer, RequestInfo request) {
        MemberLease lease = balancer.pick(request);
        lease.release();
        return lease.backend();
    }

    private static List<Backend> pick(Balancer balancer, int times) {
        List<Backend> picked = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            picked.add(balancer.pick(REQUEST).backend());
        }
        return picked;
    }

    private static List<Integer> inFlight(Balancer balancer) {
        List<Integer> counts = new ArrayList<>();
        balancer.members().forEach(member -> counts.add(member.inFlight()));
        return counts;
    }
}
