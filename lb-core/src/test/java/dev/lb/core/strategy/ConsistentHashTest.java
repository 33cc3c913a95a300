package dev.lb.core.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Candidate;
import dev.lb.api.spi.Strategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {
    private static final int CLIENTS = 20_000;
    private final ConsistentHash strategy = new ConsistentHash(HashKey.CLIENT_ADDRESS);

    @Test
    void aClientSticksToOneBackend() {
        List<Candidate> pool = FakeCandidate.pool(4);
        for (int client = 0; client < 200; client++) {
            Backend first = pick(pool, client);
            for (int again = 0; again < 5; again++) {
                assertEquals(first, pick(pool, client), "client " + client);
            }
        }
    }

    @Test
    void theClientPortDoesNotMatterOnlyItsAddress() {
        List<Candidate> pool = FakeCandidate.pool(4);
        Backend first = strategy.pick(pool, StrategyKit.request(7)).backend();
        for (int i = 0; i < 20; i++) {
            assertEquals(first, strategy.pick(pool, StrategyKit.request(7)).backend());
        }
    }

    @Test
    void clientsSpreadEvenlyOverEqualBackends() {
        List<Candidate> pool = FakeCandidate.pool(5);
        Map<Backend, Integer> share = assign(pool);
        for (Candidate candidate : pool) {
            int got = share.getOrDefault(candidate.backend(), 0);
            assertTrue(Math.abs(got - CLIENTS / 5) <= CLIENTS / 5 * 0.08, candidate.backend() + " got " + got);
        }
    }

    @Test
    void clientsSplitByWeight() {
        List<Candidate> pool = FakeCandidate.weighted(1, 3);
        Map<Backend, Integer> share = assign(pool);
        int light = share.get(pool.get(0).backend());
        assertTrue(Math.abs(light - CLIENTS / 4) <= CLIENTS / 4 * 0.08, "weight 1 got " + light + " of " + CLIENTS);
    }

    @Test
    void removingOneOfTenBackendsMovesOnlyItsOwnClients() {
        List<Candidate> pool = FakeCandidate.pool(10);
        Backend[] before = new Backend[CLIENTS];
        for (int client = 0; client < CLIENTS; client++) {
            before[client] = pick(pool, client);
        }
        List<Candidate> withoutFourth = new ArrayList<>(pool);
        Candidate gone = withoutFourth.remove(3);
        withoutFourth = List.copyOf(withoutFourth);
        int moved = 0;
        for (int client = 0; client < CLIENTS; client++) {
            Backend after = pick(withoutFourth, client);
            if (!after.equals(before[client])) {
                moved++;
                assertEquals(gone.backend(), before[client], "client " + client + " moved off a backend still up");
            }
        }
        assertTrue(moved <= CLIENTS / 10 * 1.1, moved + " of " + CLIENTS + " clients moved (expected: about 1/10)");
    }

    @Test
    void whenTheBackendComesBackItsClientsReturn() {
        List<Candidate> pool = FakeCandidate.pool(3);
        List<Candidate> withoutFirst = List.of(pool.get(1), pool.get(2));
        for (int client = 0; client < 1_000; client++) {
            Backend usual = pick(pool, client);
            Backend meanwhile = pick(withoutFirst, client);
            assertNotEquals(pool.get(0).backend(), meanwhile);
            assertEquals(usual, pick(pool, client), "client " + client);
        }
    }

    @Test
    void equalBackendsWrittenDifferentlyHashAlike() {
        assertEquals(ConsistentHash.hash(Backend.of("http://A:80/").uri().toString()),
                ConsistentHash.hash(Backend.of("http://a").uri().toString()));
    }

    @Test
    void inSlowStartAReturningBackendWinsItsClientsBackGraduallyAndTakesNoOneElses() {
        List<Candidate> pool = FakeCandidate.pool(4);
        FakeCandidate returning = (FakeCandidate) pool.get(2);
        Backend[] atFullWeight = new Backend[CLIENTS];
        for (int client = 0; client < CLIENTS; client++) {
            atFullWeight[client] = pick(pool, client);
        }
        List<Candidate> back = List.copyOf(new ArrayList<>(pool)); // a new list, as the balancer passes
        Backend[] before = null;
        for (double weight : new double[] {0.1, 0.4, 0.7, 1.0}) {
            returning.effectiveWeight = weight;
            Backend[] now = new Backend[CLIENTS];
            int onReturning = 0;
            for (int client = 0; client < CLIENTS; client++) {
                now[client] = pick(back, client);
                onReturning += now[client].equals(returning.backend()) ? 1 : 0;
                if (before != null && !now[client].equals(before[client])) {
                    assertEquals(returning.backend(), now[client], "client " + client + " moved, not to the ramp");
                }
            }
            // Weighted rendezvous: w / (w + 3) of the clients at weight w against three of weight 1.
            assertEquals(weight / (weight + 3), (double) onReturning / CLIENTS, 0.01, "at weight " + weight);
            before = now;
        }
        int elsewhere = 0;
        for (int client = 0; client < CLIENTS; client++) {
            elsewhere += before[client].equals(atFullWeight[client]) ? 0 : 1;
        }
        assertEquals(0, elsewhere, "clients not where they were before the backend left");
    }

    @Test
    void keyedByAHeaderAUserSticksWhateverAddressTheyComeFrom() {
        Strategy byUser = Strategies.named("consistent-hash", Map.of("hash_key", "header:X-User"));
        List<Candidate> pool = FakeCandidate.pool(5);
        for (int user = 0; user < 200; user++) {
            Backend first = pick(byUser, pool, withHeaders(1, Map.of("x-user", List.of("user-" + user))));
            for (int address = 2; address < 6; address++) {
                assertEquals(first, pick(byUser, pool,
                        withHeaders(address, Map.of("X-User", List.of("user-" + user)))));
            }
        }
    }

    @Test
    void aRequestWithoutTheHeaderOrCookieIsKeyedByItsClientAddress() {
        Strategy byUser = Strategies.named("consistent-hash", Map.of("hash_key", "header:X-User"));
        Strategy bySession = Strategies.named("consistent-hash", Map.of("hash_key", "cookie:session"));
        List<Candidate> pool = FakeCandidate.pool(5);
        for (int client = 0; client < 300; client++) {
            Backend byAddress = pick(pool, client);
            assertEquals(byAddress, pick(byUser, pool, StrategyKit.request(client)));
            assertEquals(byAddress, pick(byUser, pool, withHeaders(client, Map.of("X-User", List.of("")))));
            assertEquals(byAddress, pick(bySession, pool, withHeaders(client, Map.of("Cookie", List.of("other=1")))));
        }
    }

    @Test
    void keyedByACookieTheCookieIsFoundAmongOthersOnAnyCookieLine() {
        Strategy bySession = Strategies.named("consistent-hash", Map.of("hash_key", "cookie:session"));
        List<Candidate> pool = FakeCandidate.pool(5);
        for (int session = 0; session < 200; session++) {
            Backend alone = pick(bySession, pool, withHeaders(1, Map.of("Cookie", List.of("session=s" + session))));
            assertEquals(alone, pick(bySession, pool, withHeaders(2, Map.of("Cookie",
                    List.of("theme=dark; session=s" + session + "; lang=en")))));
            assertEquals(alone, pick(bySession, pool, withHeaders(3, Map.of("Cookie",
                    List.of("theme=dark", "sessionid=x;session= s" + session)))));
        }
    }

    @Test
    void keyedByPathTheQueryDoesNotMatter() {
        Strategy byPath = Strategies.named("consistent-hash", Map.of("hash_key", "path"));
        List<Candidate> pool = FakeCandidate.pool(5);
        Map<Backend, Integer> share = new HashMap<>();
        for (int item = 0; item < 2_000; item++) {
            Backend first = pick(byPath, pool, RequestInfo.of("GET", "/items/" + item,
                    StrategyKit.request(1).remoteAddress(), Map.of()));
            assertEquals(first, pick(byPath, pool, RequestInfo.of("GET", "/items/" + item + "?page=2",
                    StrategyKit.request(2).remoteAddress(), Map.of())));
            share.merge(first, 1, Integer::sum);
        }
        assertEquals(5, share.size(), "paths spread over every backend: " + share);
    }

    private static RequestInfo withHeaders(int client, Map<String, List<String>> headers) {
        return RequestInfo.of("GET", "/", StrategyKit.request(client).remoteAddress(), headers);
    }

    private static Backend pick(Strategy strategy, List<Candidate> pool, RequestInfo request) {
        Backend backend = strategy.pick(pool, request).backend();
        ((FakeCandidate) pool.stream().filter(c -> c.backend().equals(backend)).findFirst().orElseThrow()).release();
        return backend;
    }

    private Map<Backend, Integer> assign(List<Candidate> pool) {
        Map<Backend, Integer> share = new HashMap<>();
        for (int client = 0; client < CLIENTS; client++) {
            share.merge(pick(pool, client), 1, Integer::sum);
        }
        return share;
    }

    private Backend pick(List<Candidate> pool, int client) {
        return pick(strategy, pool, StrategyKit.request(client));
    }
}
