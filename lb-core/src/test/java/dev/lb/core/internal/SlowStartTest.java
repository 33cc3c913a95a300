package dev.lb.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Strategy;
import dev.lb.core.HealthCheck;
import dev.lb.core.TestRequests;
import dev.lb.core.strategy.Strategies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slow start: a backend that comes up ramps its effective weight over the window, on a clock the test steps. */
class SlowStartTest {
    private static final Backend A = Backend.of("http://127.0.0.1:9001", 4);
    private static final Backend B = Backend.of("http://127.0.0.1:9002", 4);
    private static final RequestInfo REQUEST = TestRequests.GET;

    private final ManualScheduler clock = new ManualScheduler();
    private final List<List<Candidate>> listsSeen = new ArrayList<>();
    private final Strategy firstCandidate = (candidates, request) -> {
        listsSeen.add(candidates);
        return candidates.get(0).acquire();
    };

    @Test
    void backendsConfiguredAtTheStartTakeTheirFullWeightAtOnce() {
        Balancer balancer = balancer(Duration.ofSeconds(30), A, B);
        assertEquals(4.0, member(balancer, A).effectiveWeight());
        assertEquals(0, clock.pending());
    }

    @Test
    void aBackendComingBackUpRampsLinearlyFromATenthOfItsWeight() {
        Balancer balancer = balancer(Duration.ofSeconds(30), A, B);
        Member b = member(balancer, B);
        balancer.probed(b, false, "probe answered 500");
        clock.advance(Duration.ofMinutes(5));
        balancer.probed(b, true, "");

        assertEquals(0.4, b.effectiveWeight(), 1e-9);
        clock.advance(Duration.ofSeconds(1)); // 1/30 of the window is still below the floor
        assertEquals(0.4, b.effectiveWeight(), 1e-9);
        clock.advance(Duration.ofSeconds(14));
        assertEquals(2.0, b.effectiveWeight(), 1e-9);
        clock.advance(Duration.ofSeconds(15));
        assertEquals(4.0, b.effectiveWeight());
        assertEquals(4.0, member(balancer, A).effectiveWeight());
    }

    @Test
    void aBackendAddedWhileRunningRampsToo() {
        Balancer balancer = balancer(Duration.ofSeconds(10), A);
        Member b = balancer.add(B);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(2.0, b.effectiveWeight(), 1e-9);
    }

    @Test
    void theEndOfARampHandsTheStrategyANewCandidateList() {
        Balancer balancer = balancer(Duration.ofSeconds(10), A, B);
        balancer.probed(member(balancer, B), false, "probe answered 500");
        balancer.probed(member(balancer, B), true, "");
        balancer.pick(REQUEST).release();
        clock.advance(Duration.ofSeconds(9));
        balancer.pick(REQUEST).release();
        assertSame(listsSeen.get(0), listsSeen.get(1), "the same pool while ramping");
        clock.advance(Duration.ofSeconds(1));
        balancer.pick(REQUEST).release();
        assertNotSame(listsSeen.get(1), listsSeen.get(2), "weights are final: a new list");
    }

    @Test
    void goingDownAndUpAgainRestartsTheRampAndTheOldRampsEndDoesNotCutItShort() {
        Balancer balancer = balancer(Duration.ofSeconds(10), A, B);
        Member b = member(balancer, B);
        balancer.probed(b, false, "probe answered 500");
        balancer.probed(b, true, "");
        clock.advance(Duration.ofSeconds(6));
        balancer.probed(b, false, "probe answered 500");
        balancer.probed(b, true, "");
        clock.advance(Duration.ofSeconds(5)); // the first ramp's end has passed; the second is half done
        assertEquals(2.0, b.effectiveWeight(), 1e-9);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(4.0, b.effectiveWeight());
    }

    @Test
    void withSlowStartOffAReturningBackendTakesItsFullWeightAtOnce() {
        Balancer balancer = balancer(Duration.ZERO, A, B);
        Member b = member(balancer, B);
        balancer.probed(b, false, "probe answered 500");
        balancer.probed(b, true, "");
        assertEquals(4.0, b.effectiveWeight());
        assertEquals(0, clock.pending());
    }

    @Test
    void aRecoveredBackendsShareOfWeightedTrafficGrowsOverTheWindow() {
        Balancer balancer = new Balancer(Strategies.named("weighted-round-robin"), List.of(A, B),
                Balancer.Settings.defaults().withActive(checks()).withSlowStart(Duration.ofSeconds(30)), clock);
        Member b = member(balancer, B);
        balancer.probed(b, false, "probe answered 500");
        balancer.probed(b, true, "");
        assertEquals(1.0 / 11, shareOfB(balancer), 0.01); // 0.4 against 4
        clock.advance(Duration.ofSeconds(15));
        assertEquals(1.0 / 3, shareOfB(balancer), 0.01); // 2 against 4
        clock.advance(Duration.ofSeconds(15));
        assertEquals(0.5, shareOfB(balancer), 0.01);
    }

    private static double shareOfB(Balancer balancer) {
        int toB = 0;
        for (int i = 0; i < 1_100; i++) {
            MemberLease lease = balancer.pick(REQUEST);
            lease.release();
            toB += lease.backend().equals(B) ? 1 : 0;
        }
        return toB / 1_100.0;
    }

    private Balancer balancer(Duration slowStart, Backend... backends) {
        return new Balancer(firstCandidate, List.of(backends),
                Balancer.Settings.defaults().withActive(checks()).withSlowStart(slowStart), clock);
    }

    /** Down after one failed probe, up after one passing; probes are driven by the test. */
    private static HealthCheck checks() {
        return HealthCheck.builder().rise(1).fall(1).build();
    }

    private static Member member(Balancer balancer, Backend backend) {
        return balancer.members().stream().filter(m -> m.backend().equals(backend)).findFirst().orElseThrow();
    }
}
