package dev.lb.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.BackendListener;
import dev.lb.api.BackendState;
import dev.lb.api.BackendState.Status;
import dev.lb.api.RequestInfo;
import dev.lb.core.TestRequests;
import dev.lb.core.HealthCheck;
import dev.lb.core.PassiveHealth;
import dev.lb.core.health.HealthMonitor;
import dev.lb.core.strategy.Strategies;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The health state machine and the probe schedule, on a manual clock: no sleeping, no sockets. */
class HealthStateTest {
    private static final Backend A = Backend.of("http://127.0.0.1:9001");
    private static final Backend B = Backend.of("http://127.0.0.1:9002");
    private static final RequestInfo REQUEST = TestRequests.GET;

    private final ManualScheduler time = new ManualScheduler();
    private final List<String> transitions = new ArrayList<>();
    private final BackendListener listener = new BackendListener() {
        @Override
        public void stateChanged(BackendState previous, BackendState current) {
            transitions.add(current.backend() + " " + previous.status() + "->" + current.status());
        }
    };
    /** What each backend's probe answers: a status, or null for "connection refused". */
    private final Map<String, Integer> answers = new HashMap<>();
    private final List<URI> probed = new ArrayList<>();

    private Balancer balancer(HealthCheck active, PassiveHealth passive, boolean panic, Backend... backends) {
        return new Balancer(Strategies.roundRobin(), List.of(backends), Balancer.Settings.defaults().withActive(active)
                .withPassive(passive).withPanic(panic).withListener(listener), time);
    }

    private HealthMonitor monitor(Balancer balancer, HealthCheck check) {
        return new HealthMonitor(balancer, check, (uri, timeout) -> {
            probed.add(uri);
            Integer status = answers.get(uri.getAuthority());
            return status == null ? CompletableFuture.failedFuture(new java.net.ConnectException("refused"))
                    : CompletableFuture.completedFuture(status);
        }, time);
    }

    private static Member member(Balancer balancer, Backend backend) {
        return balancer.members().stream().filter(m -> m.backend().equals(backend)).findFirst().orElseThrow();
    }

    private static final HealthCheck ACTIVE = HealthCheck.builder().interval(Duration.ofSeconds(5)).rise(2).fall(3)
            .build();
    private static final PassiveHealth PASSIVE = PassiveHealth.builder().consecutiveFailures(3)
            .baseEjection(Duration.ofSeconds(30)).maxEjection(Duration.ofSeconds(100)).build();
    private static final PassiveHealth PASSIVE_OFF = PassiveHealth.builder().enabled(false).build();

    @Test
    void a503WithRetryAfterEjectsForThatLongCappedByTheMaximumEjection() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        balancer.backOff(member(balancer, A), 40);
        assertEquals(Status.EJECTED, member(balancer, A).state().status());
        time.advance(Duration.ofSeconds(39));
        assertEquals(Status.EJECTED, member(balancer, A).state().status());
        time.advance(Duration.ofSeconds(1));
        assertEquals(Status.UP, member(balancer, A).state().status(), "back after the time it asked for");

        balancer.backOff(member(balancer, A), 3600);
        time.advance(Duration.ofSeconds(100));
        assertEquals(Status.UP, member(balancer, A).state().status(), "an hour is capped at max ejection, 100 s");
    }

    @Test
    void retryAfterEjectionsKeepWithinTheEjectionCapAndNeedPassiveChecks() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        balancer.backOff(member(balancer, A), 30);
        balancer.backOff(member(balancer, B), 30);
        assertEquals(Status.UP, member(balancer, B).state().status(), "50% cap: B stays");

        Balancer off = balancer(null, PASSIVE_OFF, false, A, B);
        off.backOff(member(off, A), 30);
        assertEquals(Status.UP, member(off, A).state().status(), "passive checks off: no ejection");
    }

    @Test
    void aFlappingBackendNeverChangesStateWhenNoStreakReachesTheThresholds() {
        Balancer balancer = balancer(ACTIVE, PASSIVE_OFF, false, A, B);
        for (int round = 0; round < 20; round++) {
            balancer.probed(member(balancer, A), round % 2 == 0, "probe answered 500");
        }
        assertEquals(List.of(), transitions);
        assertEquals(Status.UP, member(balancer, A).state().status());
    }

    @Test
    void goesDownAfterFallFailedProbesAndComesBackAfterRisePassingOnes() {
        Balancer balancer = balancer(ACTIVE, PASSIVE_OFF, false, A, B);
        Member a = member(balancer, A);
        balancer.probed(a, false, "probe answered 500");
        balancer.probed(a, false, "probe answered 500");
        assertEquals(Status.UP, a.state().status());
        balancer.probed(a, false, "probe answered 500");
        assertEquals(Status.DOWN, a.state().status());
        assertEquals(Optional.of("probe answered 500"), a.state().lastFailure());
        assertEquals(1, balancer.eligibleCount());

        balancer.probed(a, true, "");
        assertEquals(Status.DOWN, a.state().status());
        balancer.probed(a, true, "");
        assertEquals(Status.UP, a.state().status());
        assertEquals(List.of(A + " UP->DOWN", A + " DOWN->UP"), transitions);
    }

    @Test
    void theMonitorProbesAtStartThenEveryIntervalAndA500CountsAsDown() {
        Balancer balancer = balancer(ACTIVE, PASSIVE_OFF, false, A, B);
        answers.put("127.0.0.1:9001", 500);
        answers.put("127.0.0.1:9002", 204);
        HealthMonitor monitor = monitor(balancer, ACTIVE);

        monitor.start();
        assertEquals(2, probed.size(), "first round at start");
        assertEquals(URI.create("http://127.0.0.1:9001/"), probed.get(0));
        assertEquals(2, time.pending(), "one next probe per backend, never two");

        time.advance(Duration.ofMillis(5500)); // an interval plus the largest jitter
        assertEquals(4, probed.size());
        assertEquals(Status.UP, member(balancer, A).state().status());
        time.advance(Duration.ofMillis(5500));
        assertEquals(6, probed.size());
        assertEquals(Status.DOWN, member(balancer, A).state().status(), "down after 3 rounds answering 500");
        assertEquals(Status.UP, member(balancer, B).state().status());
        monitor.close();
        time.advance(Duration.ofSeconds(60));
        assertEquals(6, probed.size(), "no probe after close");
    }

    @Test
    void theMonitorProbesTheConfiguredPathAndReportsRefusedConnections() {
        HealthCheck check = HealthCheck.builder().path("/health").fall(1).build();
        Balancer balancer = balancer(check, PASSIVE_OFF, false, Backend.of("http://127.0.0.1:9001/base"));
        monitor(balancer, check).start();

        assertEquals(URI.create("http://127.0.0.1:9001/health"), probed.get(0));
        assertEquals(Optional.of("probe failed: connection refused"),
                balancer.members().get(0).state().lastFailure());
    }

    @Test
    void waitingForTheFirstRoundStartsBackendsDownUntilOneProbePasses() {
        HealthCheck check = HealthCheck.builder().waitForFirstRound(true).build();
        Balancer balancer = balancer(check, PASSIVE_OFF, false, A, B);
        assertNull(balancer.pick(REQUEST), "nothing is up before the first round");
        answers.put("127.0.0.1:9001", 200);

        monitor(balancer, check).start();

        assertEquals(Status.UP, member(balancer, A).state().status());
        assertEquals(Status.DOWN, member(balancer, B).state().status());
    }

    @Test
    void consecutiveFailedRequestsEjectForAnEjectionTimeThatDoublesAndIsCapped() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        Member a = member(balancer, A);

        List<Duration> ejectedFor = new ArrayList<>();
        for (int ejection = 0; ejection < 4; ejection++) {
            failRequests(balancer, a, 3);
            assertEquals(Status.EJECTED, a.state().status());
            long start = time.nanoTime();
            while (a.state().status() == Status.EJECTED) {
                time.advance(Duration.ofSeconds(1));
            }
            ejectedFor.add(Duration.ofNanos(time.nanoTime() - start));
        }
        assertEquals(List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(100),
                Duration.ofSeconds(100)), ejectedFor);
        assertEquals(Status.UP, a.state().status());
    }

    @Test
    void aSuccessfulRequestStartsTheFailureStreakOver() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        Member a = member(balancer, A);
        failRequests(balancer, a, 2);
        balancer.requestSucceeded(a);
        failRequests(balancer, a, 2);
        assertEquals(Status.UP, a.state().status());
        failRequests(balancer, a, 1);
        assertEquals(Status.EJECTED, a.state().status());
    }

    @Test
    void passiveChecksNeverEjectMoreThanTheMaximumShare() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        failRequests(balancer, member(balancer, A), 3);
        failRequests(balancer, member(balancer, B), 10);
        assertEquals(Status.EJECTED, member(balancer, A).state().status());
        assertEquals(Status.UP, member(balancer, B).state().status(), "50% of two backends is one");
    }

    @Test
    void withActiveChecksAnEjectedBackendReturnsOnlyAfterItsTimeAndAPassingProbe() {
        Balancer balancer = balancer(ACTIVE, PASSIVE, false, A, B);
        Member a = member(balancer, A);
        failRequests(balancer, a, 3);

        time.advance(Duration.ofSeconds(30));
        assertEquals(Status.DOWN, a.state().status());
        balancer.probed(a, true, "");
        assertEquals(Status.UP, a.state().status());
        assertEquals(List.of(A + " UP->EJECTED", A + " EJECTED->DOWN", A + " DOWN->UP"), transitions);
    }

    @Test
    void aRemovedBackendDrainsItsInFlightRequestThenLeaves() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        MemberLease onA = balancer.pick(REQUEST);
        assertEquals(A, onA.backend());

        CompletableFuture<Void> gone = balancer.remove(A, Duration.ofSeconds(30));

        assertEquals(Status.DRAINING, member(balancer, A).state().status());
        for (int i = 0; i < 4; i++) {
            assertEquals(B, balancer.pick(REQUEST).backend(), "no new request for a draining backend");
        }
        assertFalse(gone.isDone());
        onA.release();
        assertTrue(gone.isDone());
        assertEquals(List.of(B), balancer.members().stream().map(Member::backend).toList());
    }

    @Test
    void aRemovedBackendLeavesAtTheDrainTimeoutEvenWithRequestsInFlight() {
        Balancer balancer = balancer(null, PASSIVE, false, A, B);
        balancer.pick(REQUEST);

        CompletableFuture<Void> gone = balancer.remove(A, Duration.ofSeconds(30));
        time.advance(Duration.ofSeconds(29));
        assertFalse(gone.isDone());
        time.advance(Duration.ofSeconds(1));
        assertTrue(gone.isDone());
        assertThrows(IllegalArgumentException.class, () -> balancer.remove(A, Duration.ofSeconds(1)));
    }

    @Test
    void anAddedBackendTakesTrafficAndADuplicateIsRefused() {
        Balancer balancer = balancer(null, PASSIVE, false, A);
        balancer.add(B);
        assertEquals(List.of(A, B), List.of(balancer.pick(REQUEST).backend(), balancer.pick(REQUEST).backend()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> balancer.add(B));
        assertEquals("backend url: http://127.0.0.1:9002 is already a member (expected: a backend not in the pool)",
                e.getMessage());
    }

    @Test
    void panicModeUsesDownBackendsWhenNoneIsUp() {
        Balancer calm = balancer(HealthCheck.builder().fall(1).build(), PASSIVE_OFF, false, A);
        Balancer panicking = balancer(HealthCheck.builder().fall(1).build(), PASSIVE_OFF, true, A);
        calm.probed(member(calm, A), false, "down");
        panicking.probed(member(panicking, A), false, "down");

        assertNull(calm.pick(REQUEST));
        assertNotNull(panicking.pick(REQUEST));
    }

    @Test
    void retryAfterIsTheProbeIntervalRoundedUp() {
        assertEquals(5, balancer(ACTIVE, PASSIVE_OFF, false, A).retryAfterSeconds());
        assertEquals(2, balancer(HealthCheck.builder().interval(Duration.ofMillis(1500)).build(), PASSIVE_OFF,
                false, A).retryAfterSeconds());
        assertEquals(1, balancer(null, PASSIVE_OFF, false, A).retryAfterSeconds());
    }

    private static void failRequests(Balancer balancer, Member member, int times) {
        for (int i = 0; i < times; i++) {
            balancer.requestFailed(member, "CONNECT: connection refused");
        }
    }
}
