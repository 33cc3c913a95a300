package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.BackendState;
import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults under load: many concurrent clients, a backend killed while GETs and POSTs flow, a rolling restart, and a
 * graceful shutdown with requests in flight. Clients open a connection per request, so a failure is always one
 * request's, and every outcome is recorded: a status, or the exception the client saw.
 */
class LoadFaultTest {
    private static final int CLIENT_THREADS = 4;

    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final AtomicBoolean loadRunning = new AtomicBoolean();
    private final AtomicInteger completed = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> answered = new ConcurrentHashMap<>(); // request id -> status
    private final List<Future<?>> load = new ArrayList<>();
    @RegisterExtension
    final Leaks leaks = new Leaks();

    @BeforeEach
    void stopClientsAfterwards() {
        leaks.track(clients::shutdownNow);
    }

    @AfterEach
    void endLoadLoops() {
        loadRunning.set(false);
    }

    private SwitchableBackend backend(String name) throws IOException {
        return leaks.track(SwitchableBackend.start(name));
    }

    private TestProxy proxy(LoadBalancer.Builder builder) throws IOException {
        return leaks.track(TestProxy.start(builder));
    }

    @Test
    void fiveHundredConcurrentClientsAreAllServed() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        // A burst of 500 connects can overflow a listen queue (net.core.somaxconn) and wait for a SYN resend (1s):
        // a generous connect timeout keeps this about concurrency, not about the connect timeout.
        TestProxy proxy = proxy(LoadBalancer.builder().connectTimeout(Duration.ofSeconds(10)).backend(a.url())
                .backend(b.url()));
        int clientCount = 500;
        ExecutorService many = Executors.newFixedThreadPool(clientCount);
        leaks.track(many::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);

        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < clientCount; i++) {
            String target = "/c" + i;
            statuses.add(many.submit(() -> {
                go.await();
                return proxy.get(target).status();
            }));
        }
        go.countDown();

        Map<Integer, Integer> byStatus = new HashMap<>();
        for (Future<Integer> status : statuses) {
            byStatus.merge(status.get(20, TimeUnit.SECONDS), 1, Integer::sum);
        }
        assertEquals(Map.of(200, clientCount), byStatus);
        assertEquals(clientCount, a.traffic() + b.traffic());
        assertTrue(a.traffic() > 0 && b.traffic() > 0, "a " + a.traffic() + ", b " + b.traffic());
        Await.until("nothing in flight", () -> proxy.lb().inFlight() == 0);
    }

    @Test
    void aBackendKilledUnderGetLoadCostsNoRequest() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));
        startLoad(proxy, "GET");

        awaitMoreRequests(50);
        a.stop();
        awaitMoreRequests(100);
        stopLoad();

        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(Map.of(200, completed.get()), countByStatus());
        assertTrue(a.traffic() + b.traffic() >= completed.get(), "a GET caught by the kill may run twice");
        Await.until("the killed backend ejected", () -> proxy.lb().backendStates().get(0).status()
                == BackendState.Status.EJECTED);
    }

    @Test
    void aBackendKilledUnderPostLoadNeverExecutesAPostTwice() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));
        startLoad(proxy, "POST");

        awaitMoreRequests(50);
        a.stop();
        awaitMoreRequests(100);
        stopLoad();

        Map<String, Integer> executions = new HashMap<>(a.executions());
        b.executions().forEach((id, times) -> executions.merge(id, times, Integer::sum));
        executions.forEach((id, times) -> assertEquals(1, times, id + " executed " + times + " times"));
        answered.forEach((id, status) -> {
            assertTrue(status == 200 || status == 502, id + " answered " + status);
            if (status == 200) {
                assertEquals(1, executions.getOrDefault(id, 0), id + " answered 200");
            }
        });
        assertEquals(completed.get(), answered.size());
        assertEquals(List.of(), List.copyOf(failures), "every POST got an answer");
        assertTrue(answered.values().stream().filter(status -> status == 502).count() <= CLIENT_THREADS * 2,
                "502s only for the POSTs caught by the kill: " + answered.values().stream()
                        .filter(status -> status == 502).count());
    }

    @Test
    void aRollingRestartOfEveryBackendCostsNoIdempotentRequest() throws Exception {
        List<SwitchableBackend> instances = new ArrayList<>(List.of(backend("a"), backend("b"), backend("c")));
        LoadBalancer.Builder builder = LoadBalancer.builder()
                .passiveHealth(p -> p.baseEjection(Duration.ofMillis(100)).maxEjection(Duration.ofMillis(400)));
        instances.forEach(instance -> builder.backend(instance.url()));
        TestProxy proxy = proxy(builder);
        startLoad(proxy, "GET");

        awaitMoreRequests(30);
        for (int i = 0; i < instances.size(); i++) {
            SwitchableBackend old = instances.get(i);
            old.stop();
            awaitMoreRequests(20);
            SwitchableBackend restarted = leaks.track(SwitchableBackend.start(old.name() + "'", old.port()));
            instances.set(i, restarted);
            Await.until(restarted.name() + " serving again", () -> restarted.traffic() > 0);
        }
        awaitMoreRequests(30);
        stopLoad();

        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(Map.of(200, completed.get()), countByStatus());
    }

    @Test
    void aGracefulShutdownUnderLoadFinishesEveryRequestInFlightAndRefusesNewOnesCleanly() throws Exception {
        SwitchableBackend a = backend("a");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()));
        List<CompletableFuture<RawConnection.RawResponse>> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> send(proxy, "GET", "/slow", null), clients));
        }
        Await.until("five requests in flight", () -> a.traffic() == 5);
        startLoad(proxy, "GET");
        awaitMoreRequests(20);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> proxy.stopServing(Duration.ofSeconds(10)),
                clients);
        Await.until("new requests refused", () -> countByStatus().containsKey(503));
        int refusedSoFar = countByStatus().get(503);
        Await.until("more refused", () -> countByStatus().get(503) >= refusedSoFar + 20);
        stopLoad();
        assertFalse(closing.isDone(), "the close waits for the requests in flight");

        a.releaseSlow();
        for (CompletableFuture<RawConnection.RawResponse> request : inFlight) {
            RawConnection.RawResponse response = request.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.status());
            assertEquals("a slow done", response.bodyText());
        }
        closing.get(10, TimeUnit.SECONDS);

        assertEquals(List.of(), List.copyOf(failures), "every request during the drain was answered");
        assertEquals(List.of(200, 503), countByStatus().keySet().stream().sorted().toList());
        IOException refused = assertThrows(IOException.class, () -> proxy.get("/after"));
        assertInstanceOf(ConnectException.class, refused, "closed: connections refused, never a hang");
    }

    /** Client threads sending {@code method} requests, each with a unique id as its body (POST) or path (GET). */
    private void startLoad(TestProxy proxy, String method) {
        loadRunning.set(true);
        for (int t = 0; t < CLIENT_THREADS; t++) {
            int thread = t;
            load.add(clients.submit(() -> {
                for (int n = 0; loadRunning.get(); n++) {
                    String id = "id-" + thread + "-" + n;
                    byte[] body = method.equals("POST") ? id.getBytes(StandardCharsets.UTF_8) : null;
                    RawConnection.RawResponse response = send(proxy, method, "/" + id, body);
                    if (response != null) {
                        answered.put(id, response.status());
                        if (response.status() != 200 && !(method.equals("POST") && response.status() == 502)
                                && response.status() != 503) {
                            failures.add(id + ": " + response.status() + " " + response.bodyText());
                        }
                    } else {
                        answered.put(id, -1);
                    }
                    completed.incrementAndGet();
                }
            }));
        }
    }

    private RawConnection.RawResponse send(TestProxy proxy, String method, String target, byte[] body) {
        try {
            return proxy.send(method, target, body);
        } catch (IOException e) {
            failures.add(method + " " + target + ": " + e);
            return null;
        }
    }

    private void stopLoad() throws Exception {
        loadRunning.set(false);
        for (Future<?> thread : load) {
            thread.get(10, TimeUnit.SECONDS);
        }
        load.clear();
    }

    private void awaitMoreRequests(int more) {
        int target = completed.get() + more;

        Await.until(more + " more requests completed", Duration.ofSeconds(10), () -> completed.get() >= target);
    }

    private Map<Integer, Integer> countByStatus() {
        Map<Integer, Integer> counts = new HashMap<>();
        answered.values().forEach(status -> counts.merge(status, 1, Integer::sum));
        return counts;
    }
}
