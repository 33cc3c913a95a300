package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backends that fail in each way a socket can, through the real adapter on 127.0.0.1: what the client gets, what
 * each backend received and executed, and that nothing is left behind (threads, file descriptors, backend
 * connections). Backends are tried in configured order, so "A fails, B serves" is deterministic.
 */
class BackendFaultTest {
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(300);
    private static final byte[] POST_BODY = "order=42".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final Leaks leaks = new Leaks();

    private TestProxy proxy(LoadBalancer.Builder builder) throws IOException {
        return leaks.track(TestProxy.start(builder.strategy(TestProxy.inConfiguredOrder())));
    }

    private ScriptedBackend scripted(ScriptedBackend.Script script) throws IOException {
        return leaks.track(ScriptedBackend.start(script));
    }

    private SwitchableBackend live(String name) throws IOException {
        return leaks.track(SwitchableBackend.start(name));
    }

    @Test
    void refusedConnectionsAreRetriedOnTheLiveBackendAndEachPostRunsOnce() throws Exception {
        SwitchableBackend live = live("live");
        TestProxy proxy = proxy(LoadBalancer.builder().passiveHealth(p -> p.enabled(false))
                .backend(TestProxy.closedPortUrl()).backend(live.url()));

        for (int i = 0; i < 3; i++) {
            assertEquals(200, proxy.get("/get" + i).status());
            RawConnection.RawResponse post = proxy.send("POST", "/post", ("post " + i).getBytes(StandardCharsets.UTF_8));
            assertEquals(200, post.status());
            assertEquals("live", post.bodyText());
        }

        assertEquals(6, live.traffic());
        assertEquals(Map.of("post 0", 1, "post 1", 1, "post 2", 1), live.executions());
        assertEquals(6, proxy.lb().trafficStats().retriesUnsent(), "every request first met the refusing backend");
    }

    @Test
    void aBackendThatNeverAnswersGets504AfterTheResponseTimeoutAndTheTimeoutIsNotRetried() throws Exception {
        ScriptedBackend a = scripted(ScriptedBackend.neverAnswer());
        ScriptedBackend b = scripted(ScriptedBackend.neverAnswer());
        TestProxy proxy = proxy(LoadBalancer.builder().responseTimeout(RESPONSE_TIMEOUT).backend(a.url())
                .backend(b.url()));

        long started = System.nanoTime();
        RawConnection.RawResponse response = proxy.get("/hang");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(504, response.status());
        assertTrue(tookMillis >= RESPONSE_TIMEOUT.toMillis() - 50 && tookMillis < RESPONSE_TIMEOUT.toMillis() + 2_000,
                "answered after " + tookMillis + "ms");
        assertEquals(1, a.requestCount(), "the first backend got it");
        assertEquals(0, b.requestCount(), "a timeout is not retried: the request may be running on the first");
        assertEquals(0, proxy.lb().trafficStats().retriesSent());
        Await.until("the proxy closes the timed-out backend connection", () -> a.openConnections() == 0);
    }

    @Test
    void aGetResetBeforeAnyResponseByteIsServedByTheNextBackend() throws Exception {
        ScriptedBackend a = scripted(ScriptedBackend.reset());
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.get("/reset");

        assertEquals(200, response.status());
        assertEquals("b", response.bodyText());
        assertEquals("GET /reset HTTP/1.1", a.takeRequest().requestLine());
        assertEquals(1, b.traffic());
        assertEquals(1, proxy.lb().trafficStats().retriesSent());
    }

    @Test
    void aGetResetBeforeAnyResponseByteReachesTheResettingBackendOnce() throws Exception {
        ScriptedBackend a = scripted(ScriptedBackend.reset());
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        assertEquals(200, proxy.get("/reset").status());

        assertEquals(1, a.requestCount());
        assertEquals(1, b.traffic());
    }

    @Test
    void aPostResetBeforeAnyResponseByteIsAnswered502AndNotSentAgain() throws Exception {
        ScriptedBackend a = leaks.track(ScriptedBackend.startReadingBody(ScriptedBackend.reset()));
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.send("POST", "/pay", POST_BODY);

        assertEquals(502, response.status());
        assertEquals("order=42", new String(a.takeRequest().body(), StandardCharsets.UTF_8), "A executed it");
        assertEquals(0, b.traffic(), "the POST may have run on A: never sent to B");
        assertEquals(0, proxy.lb().trafficStats().retriesSent());
    }

    @Test
    void aPostResetBeforeAnyResponseByteIsRetriedWhenNonIdempotentRetriesAreOn() throws Exception {
        ScriptedBackend a = leaks.track(ScriptedBackend.startReadingBody(ScriptedBackend.reset()));
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().retries(r -> r.nonIdempotent(true)).backend(a.url())
                .backend(b.url()));

        RawConnection.RawResponse response = proxy.send("POST", "/pay", POST_BODY);

        assertEquals(200, response.status());
        assertEquals("order=42", new String(a.takeRequest().body(), StandardCharsets.UTF_8));
        assertEquals(Map.of("order=42", 1), b.executions(), "B executed it once, whole");
        assertEquals(1, proxy.lb().trafficStats().retriesSent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed", "chunked"})
    void aResetAfterTheResponseHeadersDropsTheClientConnectionAndIsNotRetried(String framing) throws Exception {
        CountDownLatch headersRelayed = new CountDownLatch(1);
        String head = framing.equals("fixed") ? "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"
                : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n";
        ScriptedBackend a = scripted((socket, in, out) -> {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await(headersRelayed); // the client has the headers: whatever follows is mid-body
            socket.setSoLinger(true, 0);
            socket.close();
        });
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        try (RawConnection client = proxy.connect()) {
            client.send("GET /cut HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse received = client.readHead();
            assertEquals(200, received.status());
            headersRelayed.countDown();

            assertThrows(IOException.class, () -> client.readBody(received, "GET"),
                    "the body must visibly fail, never end as if whole");
        }
        assertEquals(1, a.requestCount());
        assertEquals(0, b.traffic(), "nothing is retried once response bytes reached the client");
        assertEquals(0, proxy.lb().trafficStats().retriesSent());
    }

    @Test
    void aBackendClosingEarlyOnAChunkedBodyDropsTheClientConnection() throws Exception {
        CountDownLatch headersRelayed = new CountDownLatch(1);
        ScriptedBackend a = scripted((socket, in, out) -> {
            out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            await(headersRelayed);
            socket.close(); // an orderly close (FIN), but before the last chunk
        });
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(live("b").url()));

        try (RawConnection client = proxy.connect()) {
            client.send("GET /chunks HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse received = client.readHead();
            headersRelayed.countDown();

            assertTrue(received.chunked());
            assertThrows(IOException.class, () -> client.readBody(received, "GET"));
        }
        assertEquals(1, a.requestCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 2x0 Broken\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 2\r\n\r\nok"})
    void aMalformedResponseIsAnswered502WhenNoOtherBackendCanServe(String malformed) throws Exception {
        ScriptedBackend a = scripted(ScriptedBackend.answerAndClose(malformed));
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()));

        RawConnection.RawResponse response = proxy.get("/malformed");

        assertEquals(502, response.status(), "got " + response.statusLine() + " " + response.bodyText());
        assertEquals(1, a.requestCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 2x0 Broken\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 2\r\n\r\nok"})
    void aGetAnsweredWithAMalformedResponseIsRetriedOnTheNextBackend(String malformed) throws Exception {
        ScriptedBackend a = scripted(ScriptedBackend.answerAndClose(malformed));
        SwitchableBackend b = live("b");
        TestProxy proxy = proxy(LoadBalancer.builder().backend(a.url()).backend(b.url()));

        RawConnection.RawResponse response = proxy.get("/malformed");

        assertEquals(200, response.status());
        assertEquals("b", response.bodyText());
        assertEquals(1, a.requestCount());
        assertEquals(1, b.traffic());
    }

    @Test
    void aResponseWithConflictingContentLengthsIsAnswered502() throws Exception {
        aMalformedResponseIsAnswered502WhenNoOtherBackendCanServe(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok");
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the backend");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
