package dev.lb.core.internal;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool and the pick. Requests read one immutable snapshot of the pool through a volatile reference; every
 * membership or health change builds a new snapshot under a lock, so no request sees a half-updated pool.
 * Knows nothing of HTTP. Thread-safe.
 */
public final class Balancer {
    private static final Logger log = LoggerFactory.getLogger(Balancer.class);

    private final Strategy strategy;
    private final ReentrantLock changes = new ReentrantLock();
    private final AtomicBoolean strategyFailureLogged = new AtomicBoolean();
    private final AtomicLong fallbackSequence = new AtomicLong();
    private volatile Snapshot snapshot;

    /** An immutable view of the pool: every member, and those eligible for new requests. */
    private static final class Snapshot {
        final List<Member> members;
        final List<Candidate> eligible;

        Snapshot(List<Member> members) {
            this.members = List.copyOf(members);
            List<Candidate> up = new ArrayList<>(members.size());
            for (Member member : members) {
                if (member.up()) {
                    up.add(member);
                }
            }
            this.eligible = List.copyOf(up);
        }
    }

    public Balancer(Strategy strategy, List<Backend> backends) {
        this.strategy = strategy;
        List<Member> members = new ArrayList<>(backends.size());
        for (Backend backend : backends) {
            members.add(new Member(backend));
        }
        this.snapshot = new Snapshot(members);
    }

    /**
     * Leases a backend for the request, or returns {@code null} when none is eligible.
     *
     * <p>A strategy that throws or returns a lease it did not get from a candidate is contained: the failure is
     * logged once and the request goes to the next eligible backend in rotation.
     */
    public MemberLease pick(RequestInfo request) {
        List<Candidate> eligible = snapshot.eligible;
        if (eligible.isEmpty()) {
            return null;
        }
        Lease lease;
        try {
            lease = strategy.pick(eligible, request);
        } catch (RuntimeException e) {
            strategyFailed(e.toString(), e);
            return fallback(eligible);
        }
        if (lease instanceof MemberLease) {
            return (MemberLease) lease;
        }
        strategyFailed("returned " + lease + " instead of a lease from Candidate.acquire()", null);
        return fallback(eligible);
    }

    private MemberLease fallback(List<Candidate> eligible) {
        return (MemberLease) eligible.get(Math.floorMod(fallbackSequence.getAndIncrement(), eligible.size()))
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

    /** Marks a backend as able (or not) to take new requests. Returns false if it is not a member. */
    public boolean setUp(Backend backend, boolean up) {
        changes.lock();
        try {
            for (Member member : snapshot.members) {
                if (member.backend().equals(backend)) {
                    if (member.up() != up) {
                        member.up(up);
                        snapshot = new Snapshot(snapshot.members);
                    }
                    return true;
                }
            }
            return false;
        } finally {
            changes.unlock();
        }
    }

    /** The members of the current snapshot, in configuration order. */
    public List<Member> members() {
        return snapshot.members;
    }

    /** How many members can take new requests now. */
    public int eligibleCount() {
        return snapshot.eligible.size();
    }

    public Strategy strategy() {
        return strategy;
    }
}
