package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.BackendState;
import dev.lb.core.LoadBalancer;
import dev.lb.core.TrafficStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retry policy seen from outside: retryable statuses, {@code Retry-After} ejection, request body replay within
 * the replay buffer, and the retry budget. Backends are tried in configured order.
 */
class RetryPolicyTest {
    private static final String BUSY = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    @RegisterExtension
    final Leaks leaks = new Leaks();

    private TestProxy proxy(LoadBalancer.Builder builder) throws IOException {
        return leaks.track(TestProxy.start(builder.strategy(TestProxy.inConfiguredOrder())));
    }

    /** A backend that reads each request whole (so its answer is never lost to a reset) and runs the script. */
    private ScriptedBackend backend(ScriptedBackend.Script script) throws IOException {
        return leaks.track(ScriptedBackend.startReadingBody(script));
    }

    @Test
    void aGetAnswered503IsServedByTheNextBackend() throws Exception {
        ScriptedBackend a = backend(ScriptedBackend.answerAndClose(BUSY));
        ScriptedBackend b = backend(ScriptedBackend.answerAndClose(OK));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.get("/busy");

        assertEquals(200, response.status());
        assertEquals("ok", response.bodyText());
        assertEquals(1, a.requestCount());
        assertEquals(1, b.requestCount());
        assertEquals(1, proxy.lb().trafficStats().retriesOnStatus());
        assertEquals(BackendState.Status.UP, proxy.lb().backendStates().get(0).status(),
                "a 503 without Retry-After does not eject");
    }

    @Test
    void aPostAnswered503IsPassedToTheClient() throws Exception {
        ScriptedBackend a = backend(ScriptedBackend.answerAndClose(BUSY));
        ScriptedBackend b = backend(ScriptedBackend.answerAndClose(OK));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.send("POST", "/pay", "order=1".getBytes(StandardCharsets.UTF_8));

        assertEquals(503, response.status());
        assertEquals("busy", response.bodyText(), "the backend's own answer");
        assertEquals("order=1", new String(a.takeRequest().body(), StandardCharsets.UTF_8));
        assertEquals(0, b.requestCount());
        assertEquals(0, proxy.lb().trafficStats().retriesOnStatus());
    }

    @Test
    void a503WithRetryAfterEjectsTheBackendAndLaterRequestsGoElsewhere() throws Exception {
        ScriptedBackend a = backend(ScriptedBackend.answerAndClose(
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"));
        ScriptedBackend b = backend(ScriptedBackend.answerAndClose(OK));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        assertEquals(200, proxy.get("/first").status(), "retried on B");
        BackendState aState = proxy.lb().backendStates().get(0);
        assertEquals(BackendState.Status.EJECTED, aState.status(), aState.toString());
        for (int i = 0; i < 5; i++) {
            assertEquals("ok", proxy.get("/later" + i).bodyText());
        }

        assertEquals(1, a.requestCount(), "nothing after it asked for 30s of quiet");
        assertEquals(6, b.requestCount());
    }

    @Test
    void aSmallPutResetByTheFirstBackendIsReplayedWholeToTheNext() throws Exception {
        byte[] body = new PatternStream(10 * 1024, 11).readAllBytes();
        ScriptedBackend a = backend(ScriptedBackend.reset());
        ScriptedBackend b = backend(ScriptedBackend.answerAndClose(OK));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.send("PUT", "/file", body);

        assertEquals(200, response.status());
        assertArrayEquals(body, a.takeRequest().body());
        ScriptedBackend.RequestHead replayed = b.takeRequest();
        assertEquals("PUT /file HTTP/1.1", replayed.requestLine());
        assertArrayEquals(body, replayed.body(), "the replay carries the same bytes");
        assertEquals(1, proxy.lb().trafficStats().retriesSent());
    }

    @Test
    void aPutLargerThanTheReplayBufferIsNotRetriedOnceItsBodyWasSent() throws Exception {
        byte[] body = new PatternStream(200 * 1024, 12).readAllBytes();
        ScriptedBackend a = backend(ScriptedBackend.reset());
        ScriptedBackend b = backend(ScriptedBackend.answerAndClose(OK));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.send("PUT", "/big", body);

        assertEquals(502, response.status());
        assertArrayEquals(body, a.takeRequest().body(), "A read it all before the reset");
        assertEquals(0, b.requestCount(), "over 64 KiB: nothing left to replay");
        assertEquals(0, proxy.lb().trafficStats().retriesSent());
    }

    @Test
    void theRetryBudgetStopsRetriesWhenEveryBackendFails() throws Exception {
        TestProxy proxy = failingEverywhere(40);

        TrafficStats stats = proxy.lb().trafficStats();
        assertTrue(stats.retriesSent() >= 20 && stats.retriesSent() <= 20 + 2 * budgetSeconds,
                "retries " + stats.retriesSent() + " in about " + budgetSeconds + "s");
        assertEquals(40 + stats.retriesSent(), backendsReceived, "each request once, plus the retries");
    }

    @Test
    void retriesRefusedByTheBudgetAreCounted() throws Exception {
        TestProxy proxy = failingEverywhere(40);

        TrafficStats stats = proxy.lb().trafficStats();
        assertEquals(40 - stats.retriesSent(), stats.retryBudgetExhausted(),
                "every request not retried was refused by the budget");
    }

    private long budgetSeconds;
    private int backendsReceived;

    /**
     * Sends {@code requests} DELETEs, one at a time, to two backends that reset every request, with a retry budget
     * of 0% of requests plus 2 per second, i.e. a balance of 20 retries at start (10 seconds of the floor). DELETE is
     * idempotent, so every reset is a retry candidate.
     */
    private TestProxy failingEverywhere(int requests) throws Exception {
        ScriptedBackend a = backend(ScriptedBackend.reset());
        ScriptedBackend b = backend(ScriptedBackend.reset());
        TestProxy proxy = proxy(LoadBalancer.builder().retries(r -> r.budget(0, 2))
                .passiveHealth(p -> p.enabled(false)).backend(a.url()).backend(b.url()));
        long started = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            assertEquals(502, proxy.send("DELETE", "/r" + i, null).status(), "request " + i);
        }
        budgetSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + 1;
        Await.until("the backends recorded every request", () -> a.requestCount() + b.requestCount()
                >= requests + proxy.lb().trafficStats().retriesSent());
        backendsReceived = a.requestCount() + b.requestCount();
        return proxy;
    }
}
