package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load balancer's own limits, answered at once and counted: in-flight limits (503 with Retry-After), the
 * request body limit (413, the backend executes nothing) and the total request deadline (504).
 */
class LimitsTest {
    private final ExecutorService clients = Executors.newCachedThreadPool();
    @RegisterExtension
    final Leaks leaks = new Leaks();
    private SwitchableBackend backend;

    @BeforeEach
    void start() throws Exception {
        leaks.track(clients::shutdownNow);
        backend = leaks.track(SwitchableBackend.start("b"));
    }

    @AfterEach
    void releaseSlowRequests() {
        backend.releaseSlow();
    }

    private TestProxy proxy(LoadBalancer.Builder builder) throws IOException {
        return leaks.track(TestProxy.start(builder));
    }

    private CompletableFuture<RawConnection.RawResponse> getAsync(TestProxy proxy, String target) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return proxy.get(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, clients);
    }

    @Test
    void overTheGlobalInFlightLimitARequestIsAnswered503AtOnce() throws Exception {
        TestProxy proxy = proxy(LoadBalancer.builder().maxInFlight(2).backend(backend.url()));
        List<CompletableFuture<RawConnection.RawResponse>> slow = List.of(getAsync(proxy, "/slow"),
                getAsync(proxy, "/slow"));
        Await.until("two requests in flight on the backend", () -> backend.traffic() == 2);

        long started = System.nanoTime();
        RawConnection.RawResponse refused = proxy.get("/third");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(503, refused.status());
        assertNotNull(refused.header("Retry-After"));
        assertTrue(tookMillis < 1_000, "refused after " + tookMillis + "ms");
        assertEquals(1, proxy.lb().trafficStats().rejectedOverloaded());
        assertEquals(2, backend.traffic(), "the third never reached the backend");
        backend.releaseSlow();
        for (CompletableFuture<RawConnection.RawResponse> request : slow) {
            assertEquals(200, request.get(10, TimeUnit.SECONDS).status());
        }
        Await.until("nothing in flight", () -> proxy.lb().inFlight() == 0);
    }

    @Test
    void overThePerBackendLimitARequestIsAnswered503AtOnce() throws Exception {
        TestProxy proxy = proxy(LoadBalancer.builder().maxInFlightPerBackend(1).backend(backend.url()));
        CompletableFuture<RawConnection.RawResponse> slow = getAsync(proxy, "/slow");
        Await.until("one request in flight on the backend", () -> backend.traffic() == 1);

        RawConnection.RawResponse refused = proxy.get("/second");

        assertEquals(503, refused.status());
        assertNotNull(refused.header("Retry-After"));
        assertEquals(1, proxy.lb().trafficStats().rejectedBackendsFull());
        assertEquals(0, proxy.lb().trafficStats().rejectedOverloaded());
        assertEquals(1, backend.traffic());
        backend.releaseSlow();
        assertEquals(200, slow.get(10, TimeUnit.SECONDS).status());
        Await.until("the backend's lease released", () -> proxy.backendsInFlight().equals(List.of(0)));
    }

    @Test
    void aBodyDeclaredOverTheLimitIsAnswered413AndNeverReachesTheBackend() throws Exception {
        TestProxy proxy = proxy(LoadBalancer.builder().maxRequestBody(1000).backend(backend.url()));

        RawConnection.RawResponse response = proxy.send("POST", "/upload", new byte[2000]);

        assertEquals(413, response.status());
        assertEquals(0, backend.traffic());
        assertEquals(200, proxy.send("POST", "/upload", new byte[1000]).status(), "at the limit is fine");
        assertEquals(1, backend.traffic());
    }

    @Test
    void aChunkedBodyCrossingTheLimitIsAnswered413AndNeverExecuted() throws Exception {
        TestProxy proxy = proxy(LoadBalancer.builder().maxRequestBody(1000).backend(backend.url()));
        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: " + proxy.authority()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                client.send("1f4\r\n" + "x".repeat(500) + "\r\n");
            }
            client.send("0\r\n\r\n");
            response = client.read("POST");
        }

        assertEquals(413, response.status());
        assertEquals(Map.of(), backend.executions(), "the backend never got the whole body");
        Await.until("nothing in flight", () -> proxy.lb().inFlight() == 0
                && proxy.backendsInFlight().equals(List.of(0)));
    }

    @Test
    void theRequestDeadlineAnswers504BeforeALongerResponseTimeout() throws Exception {
        ScriptedBackend silent = leaks.track(ScriptedBackend.start(ScriptedBackend.neverAnswer()));
        Duration deadline = Duration.ofMillis(300);
        TestProxy proxy = proxy(LoadBalancer.builder().requestTimeout(deadline)
                .responseTimeout(Duration.ofSeconds(20)).backend(silent.url()).backend(backend.url())
                .strategy(TestProxy.inConfiguredOrder()));

        long started = System.nanoTime();
        RawConnection.RawResponse response = proxy.get("/hang");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(504, response.status());
        assertTrue(tookMillis >= deadline.toMillis() - 50 && tookMillis < deadline.toMillis() + 2_000,
                "answered after " + tookMillis + "ms");
        assertEquals(1, silent.requestCount());
        assertEquals(0, backend.traffic(), "no time left for a retry");
        Await.until("the proxy closes the timed-out backend connection", () -> silent.openConnections() == 0);
    }
}
