package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Lease;
import dev.lb.api.spi.Strategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Rendezvous (highest random weight) hashing on the client address: every backend gets a score from a hash of
 * (client, backend), and the request goes to the highest-scoring eligible backend. A client therefore sticks to
 * one backend while the pool is unchanged; when a backend leaves (down, ejected, draining, removed) only its own
 * clients move, each to its next-highest backend, and when it comes back exactly those clients return. Weighted:
 * a backend's expected share of clients is its weight / total weight.
 *
 * <p>The key is the connection's peer address ({@link RequestInfo#remoteAddress()}), not yet a header, cookie or
 * path. O(n) per pick (one hash and, with unequal weights, one logarithm per backend); backend hashes are computed
 * once per candidate list. Stateless apart from that cache, so thread-safe without locks.
 */
final class ConsistentHash implements Strategy {
    private static final double TWO_TO_THE_53 = 0x1p53;

    private volatile Table cache = new Table(List.of(), new long[0], new int[0], true);

    @Override
    public Lease pick(List<Candidate> candidates, RequestInfo request) {
        Table table = cache;
        if (table.list != candidates) {
            table = Table.of(candidates);
            cache = table;
        }
        long key = hash(clientKey(request.remoteAddress()));
        int best = 0;
        if (table.equalWeights) {
            long bestScore = Long.MIN_VALUE;
            for (int i = 0; i < table.hashes.length; i++) {
                long score = mix(key ^ table.hashes[i]);
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
                double score = -table.weights[i] / Math.log(u);
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
        }
        return candidates.get(best).acquire();
    }

    private static String clientKey(InetSocketAddress remote) {
        InetAddress address = remote.getAddress();
        return address != null ? address.getHostAddress() : remote.getHostString();
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
        final int[] weights;
        final boolean equalWeights;

        Table(List<Candidate> list, long[] hashes, int[] weights, boolean equalWeights) {
            this.list = list;
            this.hashes = hashes;
            this.weights = weights;
            this.equalWeights = equalWeights;
        }

        static Table of(List<Candidate> candidates) {
            int size = candidates.size();
            long[] hashes = new long[size];
            int[] weights = new int[size];
            boolean equal = true;
            for (int i = 0; i < size; i++) {
                // The normalized URI, so http://a and http://A:80/ hash alike and a backend keeps its clients.
                hashes[i] = hash(candidates.get(i).backend().uri().toString());
                weights[i] = candidates.get(i).backend().weight();
                equal &= weights[i] == weights[0];
            }
            return new Table(candidates, hashes, weights, equal);
        }
    }
}
