package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Rendezvous (highest random weight) hashing on a request key: every backend gets a score from a hash of
 * (key, backend), and the request goes to the highest-scoring eligible backend. A key therefore sticks to one
 * backend while the pool is unchanged; when a backend leaves (down, ejected, draining, removed) only its own keys
 * move, each to its next-highest backend, and when it comes back exactly those keys return. Weighted: a backend's
 * expected share of keys is its effective weight / total; during slow start a returning backend's keys come back
 * gradually as its weight grows.
 *
 * <p>The key is the client address unless the {@code hash_key} option names a header, a cookie or the path (see
 * {@link HashKey}). O(n) per pick (one hash and, with unequal weights, one logarithm per backend); backend hashes
 * are computed once per candidate list. Stateless apart from that cache, so thread-safe without locks.
 */
final class ConsistentHash implements Strategy {
    private static final double TWO_TO_THE_53 = 0x1p53;

    private final Function<RequestInfo, String> key;
    private volatile Table cache = new Table(List.of(), new long[0], new double[0], true, false);

    ConsistentHash(Function<RequestInfo, String> key) {
        this.key = key;
    }

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        Table table = cache;
        if (table.list != candidates) {
            table = Table.of(candidates);
            cache = table;
        }
        long key = hash(this.key.apply(request));
        int best = 0;
        if (table.equalWeights && !table.ramping) {
            // The same order as the weighted scores below give for equal weights (by the top 53 bits), so a
            // key keeps its backend when slow start switches between the two.
            long bestScore = -1;
            for (int i = 0; i < table.hashes.length; i++) {
                long score = mix(key ^ table.hashes[i]) >>> 11;
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
        } else {
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < table.hashes.length; i++) {
                // Weighted rendezvous: -w / ln(u) for u uniform in (0, 1) gives each backend a share of keys
                // proportional to w. u is built from the top 53 bits, never 0 or 1.
                double u = ((mix(key ^ table.hashes[i]) >>> 11) + 0.5) / TWO_TO_THE_53;
                // In slow start the weights change with time: read them now; the backend hashes stay.
                double weight = table.ramping ? candidates.get(i).effectiveWeight() : table.weights[i];
                double score = -weight / Math.log(u);
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
        }
        return candidates.get(best).acquire();
    }

    /** 64-bit FNV-1a over the UTF-8 bytes, then mixed so that similar strings (10.0.0.1, 10.0.0.2) spread. */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The SplitMix64 finalizer: a bijection on longs whose every output bit depends on every input bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return ConsistentHashProvider.NAME;
    }

    private static final class Table {
        final List<Candidate> list;
        final long[] hashes;
        final double[] weights;
        final boolean equalWeights;
        final boolean ramping; // some weight still below its configured value: read weights on every pick

        Table(List<Candidate> list, long[] hashes, double[] weights, boolean equalWeights, boolean ramping) {
            this.list = list;
            this.hashes = hashes;
            this.weights = weights;
            this.equalWeights = equalWeights;
            this.ramping = ramping;
        }

        static Table of(List<Candidate> candidates) {
            int size = candidates.size();
            long[] hashes = new long[size];
            double[] weights = new double[size];
            boolean equal = true;
            boolean ramping = false;
            for (int i = 0; i < size; i++) {
                Candidate candidate = candidates.get(i);
                // The normalized URI, so http://a and http://A:80/ hash alike and a backend keeps its clients.
                hashes[i] = hash(candidate.backend().uri().toString());
                weights[i] = candidate.effectiveWeight();
                equal &= weights[i] == weights[0];
                ramping |= weights[i] < candidate.backend().weight();
            }
            return new Table(candidates, hashes, weights, equal, ramping);
        }
    }
}
