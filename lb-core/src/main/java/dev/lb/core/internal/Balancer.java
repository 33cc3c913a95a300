package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.BackendListener;
import dev.lb.api.BackendState;
import dev.lb.api.BackendState.Status;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import dev.lb.core.HealthCheck;
import dev.lb.core.PassiveHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool, its health state machine and the pick. Requests read one immutable snapshot of the pool through a
 * volatile reference; every membership or status change builds a new snapshot under a lock, so no request sees a
 * half-updated pool. Knows nothing of HTTP. Thread-safe.
 *
 * <p>Statuses: {@code UP} takes requests; {@code DOWN} after {@code fall} failed probes, back {@code UP} after
 * {@code rise} passing ones; {@code EJECTED} after consecutive failed requests, until its ejection time is over
 * (then {@code UP}, or with active checks {@code DOWN} until one probe passes); {@code DRAINING} while being
 * removed, until its last request ends or the drain timeout.
 *
 * <p>Slow start: a backend added while running, or coming back {@code UP}, has its effective weight ramped up over
 * the slow-start window; the end of each ramp rebuilds the snapshot, so strategies get a new candidate list once
 * the weights are final again. Backends present at construction start at full weight: they are all alike.
 */
public final class Balancer {
    private static final Logger log = LoggerFactory.getLogger(Balancer.class);

    private final Strategy strategy;
    private final HealthCheck active;
    private final PassiveHealth passive;
    private final boolean panic;
    private final int maxInFlightPerBackend;
    final Scheduler scheduler;
    final long slowStartNanos; // 0: off
    final long latencyDecayNanos;
    private final List<BackendListener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock changes = new ReentrantLock();
    private final AtomicBoolean strategyFailureLogged = new AtomicBoolean();
    private final AtomicLong fallbackSequence = new AtomicLong();
    private volatile Snapshot snapshot;

    /** An immutable view of the pool: every member, those eligible for new requests, and the panic fallback. */
    private static final class Snapshot {
        final List<Member> members;
        final Map<Backend, Member> byBackend;
        final List<Candidate> eligible;
        final List<Candidate> panicCandidates;

        Snapshot(List<Member> members, boolean panic) {
            this.members = List.copyOf(members);
            Map<Backend, Member> index = new HashMap<>();
            members.forEach(member -> index.put(member.backend(), member));
            this.byBackend = Map.copyOf(index);
            List<Candidate> up = new ArrayList<>(members.size());
            List<Candidate> notDraining = new ArrayList<>(members.size());
            for (Member member : members) {
                if (member.status == Status.UP) {
                    up.add(member);
                }
                if (member.status != Status.DRAINING) {
                    notDraining.add(member);
                }
            }
            this.eligible = List.copyOf(up);
            this.panicCandidates = panic ? List.copyOf(notDraining) : List.of();
        }
    }

    /**
     * How a balancer treats its members, apart from the strategy: each setting defaults to off or unlimited.
     *
     * @param active    active health checks, or {@code null} when off
     * @param passive   passive health checks
     * @param panic     whether to use every non-draining backend when none is up
     * @param maxInFlightPerBackend requests a backend may have in flight; a pick never leases one more
     * @param slowStart how long a backend that comes up ramps its weight; {@link Duration#ZERO} for off
     * @param listener  told of every member's changes
     */
    public record Settings(HealthCheck active, PassiveHealth passive, boolean panic, int maxInFlightPerBackend,
                           Duration slowStart, BackendListener listener) {
        /** No active checks, default passive checks, no panic mode, no in-flight limit, no slow start, no listener. */
        public static Settings defaults() {
            return new Settings(null, PassiveHealth.builder().build(), false, Integer.MAX_VALUE, Duration.ZERO,
                    new BackendListener() { });
        }

        public Settings withActive(HealthCheck checks) {
            return new Settings(checks, passive, panic, maxInFlightPerBackend, slowStart, listener);
        }

        public Settings withPassive(PassiveHealth checks) {
            return new Settings(active, checks, panic, maxInFlightPerBackend, slowStart, listener);
        }

        public Settings withPanic(boolean on) {
            return new Settings(active, passive, on, maxInFlightPerBackend, slowStart, listener);
        }

        public Settings withMaxInFlightPerBackend(int requests) {
            return new Settings(active, passive, panic, requests, slowStart, listener);
        }

        public Settings withSlowStart(Duration window) {
            return new Settings(active, passive, panic, maxInFlightPerBackend, window, listener);
        }

        public Settings withListener(BackendListener told) {
            return new Settings(active, passive, panic, maxInFlightPerBackend, slowStart, told);
        }
    }

    public Balancer(Strategy strategy, List<Backend> backends, Settings settings, Scheduler scheduler) {
        this.strategy = strategy;
        this.active = settings.active();
        this.passive = settings.passive();
        this.panic = settings.panic();
        this.maxInFlightPerBackend = settings.maxInFlightPerBackend();
        this.slowStartNanos = settings.slowStart().toNanos();
        this.latencyDecayNanos = (strategy instanceof LatencyDecay decay ? decay.latencyDecay()
                : LatencyDecay.DEFAULT).toNanos();
        this.scheduler = scheduler;
        this.listeners.add(settings.listener());
        List<Member> members = new ArrayList<>(backends.size());
        for (Backend backend : backends) {
            members.add(newMember(backend));
        }
        this.snapshot = new Snapshot(members, panic);
    }

    private Member newMember(Backend backend) {
        boolean startDown = active != null && active.waitForFirstRound();
        Member member = new Member(backend, this, startDown ? Status.DOWN : Status.UP, scheduler.now(),
                scheduler.nanoTime());
        if (startDown) {
            member.probeSuccesses = active.rise() - 1; // the first passing probe brings it up
        }
        return member;
    }

    /**
     * Leases a backend for the request, or returns {@code null} when none is eligible (in panic mode: none is left
     * that is not draining) or every eligible one is at its in-flight limit (see {@link #saturated}).
     *
     * <p>A strategy that throws or returns a lease it did not get from a candidate is contained: the failure is
     * logged once and the request goes to the next eligible backend in rotation.
     */
    public MemberLease pick(RequestInfo request) {
        Snapshot current = snapshot;
        List<Candidate> candidates = current.eligible.isEmpty() ? current.panicCandidates : current.eligible;
        return candidates.isEmpty() ? null : choose(candidates, request);
    }

    /**
     * Leases a backend other than those already {@code tried} for this request, or returns {@code null} when no
     * other is eligible. Used to retry a request that reached no backend.
     */
    public MemberLease pickAnother(RequestInfo request, Set<Member> tried) {
        List<Candidate> others = new ArrayList<>();
        for (Candidate candidate : snapshot.eligible) {
            if (!tried.contains(candidate)) {
                others.add(candidate);
            }
        }
        return others.isEmpty() ? null : choose(List.copyOf(others), request);
    }

    /** Whether some eligible backend is not among {@code tried}. */
    public boolean hasAnother(Set<Member> tried) {
        for (Candidate candidate : snapshot.eligible) {
            if (!tried.contains(candidate)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asks the strategy, and again among the backends below their in-flight limit if it chose a full one; a
     * strategy that throws or forges a lease is contained by {@link #fallback}.
     */
    private MemberLease choose(List<Candidate> candidates, RequestInfo request) {
        MemberLease lease = ask(candidates, request);
        if (lease.member().inFlight() <= maxInFlightPerBackend) {
            return lease;
        }
        lease.release();
        List<Candidate> roomy = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (candidate.inFlight() < maxInFlightPerBackend) {
                roomy.add(candidate);
            }
        }
        if (roomy.isEmpty()) {
            return null;
        }
        lease = ask(List.copyOf(roomy), request);
        if (lease.member().inFlight() <= maxInFlightPerBackend) {
            return lease;
        }
        lease.release(); // filled up meanwhile: the pool is as good as full
        return null;
    }

    private MemberLease ask(List<Candidate> candidates, RequestInfo request) {
        Lease lease;
        try {
            lease = strategy.pick(candidates, request);
        } catch (RuntimeException e) {
            strategyFailed(e.toString(), e);
            return fallback(candidates);
        }
        if (lease instanceof MemberLease) {
            return (MemberLease) lease;
        }
        strategyFailed("returned " + lease + " instead of a lease from Candidate.acquire()", null);
        return fallback(candidates);
    }

    /** Whether a pick that found nothing failed because every eligible backend is at its in-flight limit. */
    public boolean saturated() {
        Snapshot current = snapshot;
        List<Candidate> candidates = current.eligible.isEmpty() ? current.panicCandidates : current.eligible;
        return !candidates.isEmpty();
    }

    private MemberLease fallback(List<Candidate> candidates) {
        return (MemberLease) candidates.get(Math.floorMod(fallbackSequence.getAndIncrement(), candidates.size()))
                .acquire();
    }

    private void strategyFailed(String problem, Throwable cause) {
        if (strategyFailureLogged.compareAndSet(false, true)) {
            log.atError().setMessage("strategy failed; falling back to rotation, further failures logged at debug")
                    .addKeyValue("strategy", strategy).addKeyValue("problem", problem).setCause(cause).log();
        } else {
            log.atDebug().setMessage("strategy failed").addKeyValue("strategy", strategy)
                    .addKeyValue("problem", problem).log();
        }
    }

    /** A request on {@code member} got its answer: the failure streak starts over. Lock-free. */
    public void requestSucceeded(Member member) {
        if (member.failureStreak.get() != 0) {
            member.failureStreak.set(0);
        }
    }

    /** A request on {@code member} failed in a way passive checks count; may eject the backend. */
    public void requestFailed(Member member, String reason) {
        member.lastFailure = reason;
        if (!passive.enabled() || member.failureStreak.incrementAndGet() < passive.consecutiveFailures()) {
            return;
        }
        changes.lock();
        try {
            if (member.status != Status.UP || member.failureStreak.get() < passive.consecutiveFailures()
                    || !snapshot.members.contains(member)) {
                return;
            }
            member.failureStreak.set(0);
            if (!belowEjectionCap(member, reason)) {
                return;
            }
            if (scheduler.nanoTime() - member.sinceNanos >= passive.maxEjection().toNanos()) {
                member.ejections = 0; // up long enough since the last ejection: start the backoff over
            }
            member.ejections++;
            Duration time = passive.ejectionTime(member.ejections);
            eject(member, time, reason + " (" + passive.consecutiveFailures() + " failed requests in a row; ejected for "
                    + time + ")");
        } finally {
            changes.unlock();
        }
    }

    /**
     * The backend answered 503 with {@code Retry-After}: it asked for no traffic for that long, so it is ejected
     * for it (at most the maximum ejection time, and within the ejection cap), if passive checks are on.
     */
    public void backOff(Member member, long retryAfterSeconds) {
        if (!passive.enabled() || retryAfterSeconds <= 0) {
            return;
        }
        Duration time = Duration.ofSeconds(Math.min(retryAfterSeconds, passive.maxEjection().toSeconds()));
        changes.lock();
        try {
            if (member.status == Status.UP && snapshot.members.contains(member) && belowEjectionCap(member,
                    "answered 503 with Retry-After")) {
                eject(member, time, "answered 503 with Retry-After: " + retryAfterSeconds + " (ejected for " + time
                        + ")");
            }
        } finally {
            changes.unlock();
        }
    }

    /** Whether one more ejection keeps within {@code maxEjectedPercent}. Under the lock. */
    private boolean belowEjectionCap(Member member, String reason) {
        int ejected = 0;
        for (Member other : snapshot.members) {
            ejected += other.status == Status.EJECTED ? 1 : 0;
        }
        if ((ejected + 1) * 100 > passive.maxEjectedPercent() * snapshot.members.size()) {
            // Not a transition: debug only, else every failed request would warn while the cap holds.
            log.atDebug().setMessage("backend not ejected: the maximum share of ejected backends is reached")
                    .addKeyValue("backend", member.backend()).addKeyValue("reason", reason)
                    .addKeyValue("ejected", ejected).addKeyValue("max_ejected_percent",
                            passive.maxEjectedPercent()).log();
            return false;
        }
        return true;
    }

    private void eject(Member member, Duration time, String reason) {
        transition(member, Status.EJECTED, reason);
        scheduler.schedule(() -> ejectionOver(member), time.toNanos());
    }

    private void ejectionOver(Member member) {
        changes.lock();
        try {
            if (member.status != Status.EJECTED || !snapshot.members.contains(member)) {
                return;
            }
            if (active != null) {
                member.probeFailures = 0;
                member.probeSuccesses = active.rise() - 1; // one passing probe brings it back
                transition(member, Status.DOWN, "ejection over; waiting for a passing probe");
            } else {
                transition(member, Status.UP, "ejection over");
            }
        } finally {
            changes.unlock();
        }
    }

    /** The result of one active probe of {@code member}. */
    public void probed(Member member, boolean passed, String reason) {
        changes.lock();
        try {
            if (member.status == Status.DRAINING || !snapshot.members.contains(member)) {
                return;
            }
            notify(listener -> listener.probed(member.backend(), passed, reason));
            if (passed) {
                member.probeFailures = 0;
                member.probeSuccesses++;
                if (member.status == Status.DOWN && member.probeSuccesses >= active.rise()) {
                    transition(member, Status.UP, "probes passed (rise " + active.rise() + " reached)");
                }
            } else {
                member.lastFailure = reason;
                member.probeSuccesses = 0;
                member.probeFailures++;
                if (member.status == Status.UP && member.probeFailures >= active.fall()) {
                    transition(member, Status.DOWN, reason + " (" + member.probeFailures
                            + " failed probes in a row)");
                }
            }
        } finally {
            changes.unlock();
        }
    }

    /**
     * Adds a backend to the pool, in the state a new backend starts in.
     *
     * @throws IllegalArgumentException if it is already a member
     */
    public Member add(Backend backend) {
        changes.lock();
        try {
            if (snapshot.byBackend.containsKey(backend)) {
                throw new IllegalArgumentException("backend url: " + backend.url() + " is already a member"
                        + " (expected: a backend not in the pool)");
            }
            Member member = newMember(backend);
            startRamp(member);
            List<Member> members = new ArrayList<>(snapshot.members);
            members.add(member);
            snapshot = new Snapshot(members, panic);
            log.atInfo().setMessage("backend added").addKeyValue("backend", backend)
                    .addKeyValue("status", member.status).log();
            BackendState state = member.state();
            notify(listener -> listener.added(state));
            return member;
        } finally {
            changes.unlock();
        }
    }

    /**
     * Starts removing a backend: it takes no new requests at once, and leaves the pool when its last in-flight
     * request ends or after {@code drainTimeout}, whichever comes first.
     *
     * @return completes when the backend has left the pool
     * @throws IllegalArgumentException if it is not a member
     */
    public CompletableFuture<Void> remove(Backend backend, Duration drainTimeout) {
        changes.lock();
        try {
            Member member = requireMember(backend);
            if (member.status != Status.DRAINING) {
                transition(member, Status.DRAINING, "removed");
                if (member.inFlight() == 0) {
                    leave(member);
                } else {
                    scheduler.schedule(() -> leave(member), drainTimeout.toNanos());
                }
            }
            return member.drained;
        } finally {
            changes.unlock();
        }
    }

    private Member requireMember(Backend backend) {
        Member member = snapshot.byBackend.get(backend);
        if (member != null) {
            return member;
        }
        throw new IllegalArgumentException("backend url: " + backend.url() + " is not a member (expected one of: "
                + snapshot.members.stream().map(m -> m.backend().url()).reduce((a, b) -> a + ", " + b).orElse("")
                + ")");
    }

    /** Called when a draining member's last request ends. */
    void drainedOut(Member member) {
        leave(member);
    }

    private void leave(Member member) {
        changes.lock();
        try {
            if (!snapshot.members.contains(member)) {
                return;
            }
            List<Member> members = new ArrayList<>(snapshot.members);
            members.remove(member);
            snapshot = new Snapshot(members, panic);
            log.atInfo().setMessage("backend removed").addKeyValue("backend", member.backend())
                    .addKeyValue("requests_cut", member.inFlight()).log();
            notify(listener -> listener.removed(member.backend()));
        } finally {
            changes.unlock();
        }
        member.drained.complete(null);
    }

    /** Moves a member to a new status, rebuilds the snapshot, logs once and tells the listener. Under the lock. */
    private void transition(Member member, Status status, String reason) {
        BackendState previous = member.state();
        member.status = status;
        member.since = scheduler.now();
        member.sinceNanos = scheduler.nanoTime();
        startRamp(member);
        snapshot = new Snapshot(snapshot.members, panic);
        var event = status == Status.EJECTED ? log.atWarn() : log.atInfo();
        event.setMessage(status == Status.UP ? "backend up" : status == Status.DOWN ? "backend down"
                        : status == Status.EJECTED ? "backend ejected" : "backend draining")
                .addKeyValue("backend", member.backend()).addKeyValue("from", previous.status())
                .addKeyValue("reason", reason).log();
        BackendState current = member.state();
        notify(listener -> listener.stateChanged(previous, current));
    }

    /** Starts slow start for a member that is now up (ends it for one that is not). Under the lock. */
    private void startRamp(Member member) {
        member.rampingUp = slowStartNanos > 0 && member.status == Status.UP;
        if (member.rampingUp) {
            long since = member.sinceNanos;
            scheduler.schedule(() -> rampOver(member, since), slowStartNanos);
        }
    }

    private void rampOver(Member member, long since) {
        changes.lock();
        try {
            // Not a ramp that a later transition restarted or ended.
            if (member.rampingUp && member.sinceNanos == since && snapshot.members.contains(member)) {
                member.rampingUp = false;
                snapshot = new Snapshot(snapshot.members, panic); // a new list: weights are final again
            }
        } finally {
            changes.unlock();
        }
    }

    private void notify(Consumer<BackendListener> call) {
        for (BackendListener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.atWarn().setMessage("backend listener threw; ignored").setCause(e).log();
            }
        }
    }

    /** Adds a listener for state changes and membership. */
    public void addListener(BackendListener listener) {
        listeners.add(listener);
    }

    /** The member for {@code backend}, or {@code null} when it is not in the pool. */
    public Member member(Backend backend) {
        return snapshot.byBackend.get(backend);
    }

    /** The members of the current snapshot, in configuration order. */
    public List<Member> members() {
        return snapshot.members;
    }

    /** How many members can take new requests now. */
    public int eligibleCount() {
        return snapshot.eligible.size();
    }

    /** What to send as {@code Retry-After} when no backend is available: until the next probe round. */
    public long retryAfterSeconds() {
        return active == null ? 1 : Math.max(1, (active.interval().toMillis() + 999) / 1000);
    }

    public Strategy strategy() {
        return strategy;
    }
}
