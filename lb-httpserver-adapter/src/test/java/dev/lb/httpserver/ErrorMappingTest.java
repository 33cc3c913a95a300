package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A backend that cannot be reached, breaks the exchange or answers too late yields a short plain-text 502 or 504
 * from the proxy, never a stack trace, and the proxy's connection to the client stays usable.
 */
class ErrorMappingTest {

    @Test
    void aRefusedConnectionAnswers502() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        try (TestProxy proxy = TestProxy.to("http://127.0.0.1:" + closedPort)) {
            RawConnection.RawResponse response = get(proxy, "/refused");

            assertEquals(502, response.status());
            assertIsShortPlainText(response);
        }
    }

    @Test
    void aConnectionResetBeforeAnyAnswerAnswers502() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start((socket, in, out) -> {
            socket.setSoLinger(true, 0); // close with RST
            socket.close();
        }); TestProxy proxy = TestProxy.to(backend.url())) {
            RawConnection.RawResponse response = get(proxy, "/reset");

            assertEquals("GET /reset HTTP/1.1", backend.takeRequest().requestLine());
            assertEquals(502, response.status());
            assertIsShortPlainText(response);
        }
    }

    @Test
    void aConnectionClosedWithoutAnAnswerAnswers502() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start((socket, in, out) -> socket.close());
             TestProxy proxy = TestProxy.to(backend.url())) {
            RawConnection.RawResponse response = get(proxy, "/hangup");

            assertEquals("GET /hangup HTTP/1.1", backend.takeRequest().requestLine());
            assertEquals(502, response.status());
            assertIsShortPlainText(response);
        }
    }

    @Test
    void anAnswerThatIsNotHttpAnswers502() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start(
                ScriptedBackend.answerAndClose("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
             TestProxy proxy = TestProxy.to(backend.url())) {
            RawConnection.RawResponse response = get(proxy, "/garbage");

            assertEquals(502, response.status());
            assertIsShortPlainText(response);
        }
    }

    @Test
    void aPostWhoseBackendHangsUpAnswers502AndIsNotSentTwice() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start((socket, in, out) -> socket.close());
             TestProxy proxy = TestProxy.to(backend.url());
             RawConnection client = proxy.connect()) {
            client.send("POST /once HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nContent-Length: 3\r\n\r\nabc");
            RawConnection.RawResponse response = client.read("POST");

            assertEquals(502, response.status());
            assertIsShortPlainText(response);
            assertEquals("POST /once HTTP/1.1", backend.takeRequest().requestLine());
            // Any retry would have happened before the 502 was written.
            assertEquals(0, backend.pendingRequests());
        }
    }

    @Test
    void aBackendThatSendsNoHeadersWithinTheResponseTimeoutAnswers504() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MockWebServer backend = TestProxy.startMockServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                release.await(10, TimeUnit.SECONDS);
                return new MockResponse.Builder().body("too late").build();
            }
        });
        try (TestProxy proxy = TestProxy.start(LoadBalancer.builder().backend(TestProxy.url(backend))
                .responseTimeout(Duration.ofMillis(300)))) {
            long started = System.nanoTime();
            RawConnection.RawResponse response = get(proxy, "/slow");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertEquals(504, response.status());
            assertIsShortPlainText(response);
            assertTrue(tookMillis >= 250 && tookMillis < 5_000, "answered after " + tookMillis + "ms");
            assertEquals("/slow", backend.takeRequest().getTarget());
        } finally {
            release.countDown();
            backend.close();
        }
    }

    @Test
    @Disabled("The engine reads the client's body on the request thread; while that read blocks on a client that"
            + " paused mid-body, the timed-out exchange cannot be answered until the client sends more")
    void anUploadPausedMidBodyStillGets504WhenTheBackendTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedBackend backend = ScriptedBackend.start((socket, in, out) -> {
            try {
                release.await(10, TimeUnit.SECONDS); // neither reads the body nor answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
             TestProxy proxy = TestProxy.start(LoadBalancer.builder().backend(backend.url())
                     .responseTimeout(Duration.ofMillis(300)));
             RawConnection client = proxy.connect()) {
            client.send("POST /paused HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nContent-Length: "
                    + (8 << 20) + "\r\n\r\n");
            client.send(new byte[1 << 20]);

            assertEquals(504, client.read("POST").status());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aHeadRequestThatFailsGetsAStatusWithoutABody() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }

        try (TestProxy proxy = TestProxy.to("http://127.0.0.1:" + closedPort);
             RawConnection client = proxy.connect()) {
            client.send("HEAD /x HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse head = client.read("HEAD");
            client.send("GET /x HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse get = client.read("GET");

            assertEquals(502, head.status());
            assertEquals(502, get.status());
            assertEquals(get.header("Content-Length"), head.header("Content-Length"));
            assertIsShortPlainText(get);
        }
    }

    /** A GET on a fresh connection; afterwards the same connection must still serve a second request. */
    private static RawConnection.RawResponse get(TestProxy proxy, String target) throws Exception {
        try (RawConnection client = proxy.connect()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse response = client.read("GET");
            client.send("GET " + target + " HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(response.status(), client.read("GET").status(), "second request on the connection");
            return response;
        }
    }

    private static void assertIsShortPlainText(RawConnection.RawResponse response) {
        String contentType = response.header("Content-Type");
        assertTrue(contentType != null && contentType.startsWith("text/plain"), "Content-Type: " + contentType);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(body.length() > 0 && body.length() < 200, "body: " + body);
        assertEquals(1, body.strip().lines().count(), "body is one line: " + body);
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains(".java:"),
                "body leaks internals: " + body);
    }
}
