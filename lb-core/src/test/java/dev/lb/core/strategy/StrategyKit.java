package dev.lb.core.strategy;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import dev.lb.api.spi.StrategyProvider;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks that a {@link StrategyProvider}'s strategies keep the {@link Strategy} contract. Needs nothing but the JDK
 * and {@code dev.lb.api}: a plugin author can copy this one file into their tests and call
 * {@code StrategyKit.of(new MyProvider()).checkAll()} from any test framework (failures are
 * {@link AssertionError}s naming the check and what was seen).
 *
 * <p>Every strategy must:
 * <ul>
 *   <li>pick only among the candidates it was given (the balancer passes only healthy, non-draining backends, so
 *       a pick outside them would send traffic to a backend that is down or leaving);</li>
 *   <li>return a lease from exactly one {@code acquire}/{@code tryAcquire} on the chosen candidate, so in flight
 *       grows by one on exactly one backend per pick;</li>
 *   <li>stay correct under concurrent picks while the candidate list changes between calls.</li>
 * </ul>
 * Opt in to more: {@link #weightAware()} checks that held picks split by weight within a tolerance, also while
 * some backends are in slow start ({@link Candidate#effectiveWeight()} below their weight);
 * {@link #hashing()} checks that a request key sticks to its backend and that removing one of n backends moves
 * at most about 1/n of the keys.
 *
 * <p>The checks draw their own requests (varied client addresses) and never sleep.
 */
public final class StrategyKit {
    private final StrategyProvider provider;
    private boolean weightAware;
    private boolean hashing;
    private int picks = 30_000;
    private double weightTolerance = 0.10;
    private double movedTolerance = 0.05;

    private StrategyKit(StrategyProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** A kit for the strategies {@code provider} creates. */
    public static StrategyKit of(StrategyProvider provider) {
        return new StrategyKit(provider);
    }

    /** The provider under test. */
    public StrategyProvider provider() {
        return provider;
    }

    @Override
    public String toString() {
        return provider.name();
    }

    /** Also check that picks split by weight (relative tolerance, default 0.10 of each backend's expected share). */
    public StrategyKit weightAware() {
        this.weightAware = true;
        return this;
    }

    /** Also check stickiness and minimal disruption (moved keys at most 1/n + tolerance, default 0.05). */
    public StrategyKit hashing() {
        this.hashing = true;
        return this;
    }

    /** Picks per distribution check; default 30,000. */
    public StrategyKit picks(int picks) {
        this.picks = picks;
        return this;
    }

    /** Runs every applicable check; throws {@link AssertionError} at the first failure. */
    public void checkAll() throws InterruptedException {
        checkPicksOnlyAmongCandidates();
        checkOneAcquirePerPick();
        checkConcurrentPicksWhileThePoolChanges();
        if (weightAware) {
            checkWeightsAreHonoured();
            checkEffectiveWeightsAreHonoured();
        }
        if (hashing) {
            checkKeysStick();
            checkRemovingOneBackendMovesFewKeys();
        }
    }

    /** Pools with backends left out (as the balancer leaves out unhealthy ones): no pick lands outside. */
    public void checkPicksOnlyAmongCandidates() {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 2, 3, 1, 2, 3);
        List<List<Candidate>> subsets = List.of(
                candidates(all), candidates(all.subList(0, 1)), candidates(all.subList(2, 5)),
                candidates(List.of(all.get(5), all.get(0))), candidates(List.of(all.get(1), all.get(3))));
        for (int round = 0; round < 2_000; round++) {
            List<Candidate> given = subsets.get(round % subsets.size());
            Lease lease = strategy.pick(given, request(round));
            KitCandidate owner = ownerOf(lease, all);
            check(given.contains(owner), "picked " + owner.backend() + ", which was not among the candidates "
                    + backends(given));
            owner.release();
        }
        for (KitCandidate candidate : all) {
            check(candidate.inFlight() == 0, "in flight on " + candidate.backend() + " is " + candidate.inFlight()
                    + " after every lease was released (expected: 0; a lease counted twice or never)");
        }
    }

    /** Each pick: one lease, from one successful acquire on the candidate the lease names. */
    public void checkOneAcquirePerPick() {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 5, 2, 1);
        List<Candidate> given = candidates(all);
        for (int round = 0; round < 2_000; round++) {
            int[] before = inFlight(all);
            Lease lease = strategy.pick(given, request(round));
            KitCandidate owner = ownerOf(lease, all);
            int[] after = inFlight(all);
            for (int i = 0; i < all.size(); i++) {
                int expected = before[i] + (all.get(i) == owner ? 1 : 0);
                check(after[i] == expected, "pick " + round + ": in flight on " + all.get(i).backend() + " went from "
                        + before[i] + " to " + after[i] + " (expected: " + expected + "; exactly one acquire on "
                        + owner.backend() + ")");
            }
            if (round % 3 != 0) { // keep some in flight, so load-aware strategies see uneven counts
                owner.release();
            }
        }
    }

    /**
     * Many threads released by one latch pick at once while the list they are given changes; every lease must
     * come from its own list, and the successful acquires must equal the picks.
     */
    public void checkConcurrentPicksWhileThePoolChanges() throws InterruptedException {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 2, 3, 4, 1, 2, 3, 4);
        List<List<Candidate>> lists = List.of(candidates(all), candidates(all.subList(0, 3)),
                candidates(all.subList(3, 8)), candidates(List.of(all.get(7))), candidates(all.subList(1, 7)));
        int threads = 16;
        int picksPerThread = 2_000;
        AtomicInteger version = new AtomicInteger();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> held = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                held.add(executor.submit(() -> {
                    start.await();
                    int keep = 0;
                    for (int i = 0; i < picksPerThread; i++) {
                        // One thread plays the pool: it moves every thread on to the next list now and then.
                        if (thread == 0 && i % 50 == 0) {
                            version.incrementAndGet();
                        }
                        List<Candidate> given = lists.get(Math.floorMod(version.get(), lists.size()));
                        Lease lease;
                        try {
                            lease = strategy.pick(given, request(thread * picksPerThread + i));
                        } catch (RuntimeException e) {
                            failures.add("pick threw " + e);
                            continue;
                        }
                        KitCandidate owner = findOwner(lease, all);
                        if (owner == null || !given.contains(owner)) {
                            failures.add("a lease for " + (lease == null ? null : lease.backend())
                                    + " from outside the candidates " + backends(given));
                            continue;
                        }
                        if (i % 2 == 0) {
                            owner.release();
                        } else {
                            keep++;
                        }
                    }
                    return keep;
                }));
            }
            start.countDown();
            int kept = 0;
            for (Future<Integer> future : held) {
                try {
                    kept += future.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("concurrent picks did not finish: " + e, e);
                }
            }
            check(failures.isEmpty(), "under concurrent picks: " + failures);
            int inFlight = all.stream().mapToInt(KitCandidate::inFlight).sum();
            check(inFlight == kept, "in flight summed over the pool is " + inFlight + " with " + kept
                    + " leases held (expected: equal; some pick acquired more or less than once)");
        } finally {
            executor.shutdownNow();
        }
    }

    /** Leases held (never released), so load-aware strategies see the load build: shares follow weights. */
    public void checkWeightsAreHonoured() {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 2, 3, 4);
        List<Candidate> given = candidates(all);
        for (int round = 0; round < picks; round++) {
            ownerOf(strategy.pick(given, request(round)), all);
        }
        int totalWeight = all.stream().mapToInt(c -> c.backend().weight()).sum();
        for (KitCandidate candidate : all) {
            double expected = (double) picks * candidate.backend().weight() / totalWeight;
            check(Math.abs(candidate.inFlight() - expected) <= expected * weightTolerance, candidate.backend()
                    + " of weight " + candidate.backend().weight() + " got " + candidate.inFlight() + " of " + picks
                    + " picks (expected: " + Math.round(expected) + " +/- " + Math.round(weightTolerance * 100)
                    + "%)");
        }
    }

    /**
     * Backends of equal weight, two of them in slow start at a quarter and half of it: held picks split by the
     * effective weights, so a backend that just came up is not flooded.
     */
    public void checkEffectiveWeightsAreHonoured() {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(4, 4, 4, 4);
        all.get(1).effectiveWeight = 1;
        all.get(2).effectiveWeight = 2;
        List<Candidate> given = candidates(all);
        for (int round = 0; round < picks; round++) {
            ownerOf(strategy.pick(given, request(round)), all);
        }
        double total = all.stream().mapToDouble(KitCandidate::effectiveWeight).sum();
        for (KitCandidate candidate : all) {
            double expected = picks * candidate.effectiveWeight() / total;
            check(Math.abs(candidate.inFlight() - expected) <= expected * weightTolerance, candidate.backend()
                    + " of effective weight " + candidate.effectiveWeight() + " (slow start) got "
                    + candidate.inFlight() + " of " + picks + " picks (expected: " + Math.round(expected) + " +/- "
                    + Math.round(weightTolerance * 100) + "%; read Candidate.effectiveWeight(), not the weight)");
        }
    }

    /** The same request key, asked again and again while the pool is unchanged, gets the same backend. */
    public void checkKeysStick() {
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 1, 1, 1, 1);
        List<Candidate> given = candidates(all);
        for (int key = 0; key < 500; key++) {
            KitCandidate first = pickAndRelease(strategy, given, key, all);
            for (int again = 0; again < 3; again++) {
                KitCandidate next = pickAndRelease(strategy, given, key, all);
                check(next == first, "key " + key + " went to " + first.backend() + " and then to " + next.backend()
                        + " with the pool unchanged (expected: the same backend)");
            }
        }
    }

    /** For each of n backends in turn: remove it, and at most about 1/n of the keys may change backend. */
    public void checkRemovingOneBackendMovesFewKeys() {
        int n = 10;
        int keys = 10_000;
        Strategy strategy = provider.create();
        List<KitCandidate> all = pool(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        List<Candidate> full = candidates(all);
        KitCandidate[] before = new KitCandidate[keys];
        for (int key = 0; key < keys; key++) {
            before[key] = pickAndRelease(strategy, full, key, all);
        }
        for (int removed = 0; removed < n; removed++) {
            List<Candidate> rest = new ArrayList<>(full);
            rest.remove(removed);
            rest = List.copyOf(rest);
            int moved = 0;
            for (int key = 0; key < keys; key++) {
                if (pickAndRelease(strategy, rest, key, all) != before[key]) {
                    moved++;
                }
            }
            double share = (double) moved / keys;
            check(share <= 1.0 / n + movedTolerance, "removing " + all.get(removed).backend() + ", one of " + n
                    + ", moved " + moved + " of " + keys + " keys (expected: at most " + (1.0 / n + movedTolerance)
                    + " of them)");
        }
    }

    private static KitCandidate pickAndRelease(Strategy strategy, List<Candidate> given, int key,
                                               List<KitCandidate> all) {
        KitCandidate owner = ownerOf(strategy.pick(given, request(key)), all);
        owner.release();
        return owner;
    }

    /** Backends 10.0.0.1, 10.0.0.2, ... with these weights. */
    private static List<KitCandidate> pool(int... weights) {
        List<KitCandidate> pool = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            pool.add(new KitCandidate(Backend.of("http://10.0.0." + (i + 1) + ":8080", weights[i])));
        }
        return List.copyOf(pool);
    }

    private static List<Candidate> candidates(List<KitCandidate> kit) {
        return List.copyOf(kit);
    }

    private static KitCandidate ownerOf(Lease lease, List<KitCandidate> all) {
        KitCandidate owner = findOwner(lease, all);
        check(owner != null, "pick returned " + lease + " (expected: a lease from Candidate.acquire()/tryAcquire()"
                + " on one of the candidates)");
        check(owner.backend().equals(lease.backend()), "lease names " + lease.backend() + " but was acquired on "
                + owner.backend());
        return owner;
    }

    private static KitCandidate findOwner(Lease lease, List<KitCandidate> all) {
        if (lease == null) {
            return null;
        }
        for (KitCandidate candidate : all) {
            if (candidate.issued(lease)) {
                return candidate;
            }
        }
        return null;
    }

    private static int[] inFlight(List<KitCandidate> all) {
        return all.stream().mapToInt(KitCandidate::inFlight).toArray();
    }

    private static List<Backend> backends(List<Candidate> candidates) {
        return candidates.stream().map(Candidate::backend).toList();
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    /** A request from client {@code n}: a distinct address per n up to 2^24, always the same for the same n. */
    static RequestInfo request(int n) {
        InetSocketAddress remote = new InetSocketAddress(
                "172." + (16 + ((n >>> 16) & 0x0f)) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff), 40_000);
        return RequestInfo.of("GET", "/kit/" + n, remote, Map.of());
    }

    /** A candidate that counts in flight like the balancer's and remembers the leases it issued. */
    private static final class KitCandidate implements Candidate {
        private final Backend backend;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile double effectiveWeight;
        private final Map<Lease, Boolean> issued = java.util.Collections.synchronizedMap(new IdentityHashMap<>());

        KitCandidate(Backend backend) {
            this.backend = backend;
            this.effectiveWeight = backend.weight();
        }

        @Override
        public Backend backend() {
            return backend;
        }

        @Override
        public int inFlight() {
            return inFlight.get();
        }

        @Override
        public double effectiveWeight() {
            return effectiveWeight;
        }

        @Override
        public Lease acquire() {
            inFlight.incrementAndGet();
            return issue();
        }

        @Override
        public Lease tryAcquire(int expectedInFlight) {
            return inFlight.compareAndSet(expectedInFlight, expectedInFlight + 1) ? issue() : null;
        }

        private Lease issue() {
            Lease lease = new Lease() {
                @Override
                public Backend backend() {
                    return backend;
                }

                @Override
                public String toString() {
                    return "lease on " + backend;
                }
            };
            issued.put(lease, Boolean.TRUE);
            return lease;
        }

        boolean issued(Lease lease) {
            return issued.remove(lease) != null;
        }

        void release() {
            inFlight.decrementAndGet();
        }

        @Override
        public String toString() {
            return backend + " (" + inFlight + " in flight)";
        }
    }
}
