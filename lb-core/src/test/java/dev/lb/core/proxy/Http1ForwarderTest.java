package dev.lb.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine against backends that control every byte: pooling, framing, strict parsing, timeouts, retries. */
class Http1ForwarderTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final Http1Forwarder forwarder =
            new Http1Forwarder(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(300));
    private RawBackend backend;

    @AfterEach
    void stop() throws Exception {
        forwarder.close();
        if (backend != null) {
            backend.close();
        }
    }

    private Outcome forward(FakeExchange exchange) throws IOException {
        return forwarder.forward(exchange, Backend.of(backend.url()), Attempt.FINAL);
    }

    @Test
    void sequentialRequestsShareOnePooledConnection() throws Exception {
        backend = new RawBackend(RawBackend.keepAliveAnswering("ok"));

        for (int i = 0; i < 5; i++) {
            FakeExchange exchange = FakeExchange.get("/n" + i);
            assertEquals(200, forward(exchange).status());
            assertEquals("ok", exchange.bodyText());
        }

        assertEquals(1, backend.connections());
        assertEquals(5, backend.receivedSoFar().size());
    }

    /** Answers the first request on each connection, then closes on the second without answering. */
    private static RawBackend.Script answersOnceThenClosesOnTheNextRequest() {
        return connection -> {
            connection.read();
            connection.write(OK);
            connection.read();
            connection.socket.close();
        };
    }

    @Test
    void aGetOnAPooledConnectionTheBackendClosedIsSentAgainOnAFreshOne() throws Exception {
        backend = new RawBackend(answersOnceThenClosesOnTheNextRequest());
        forward(FakeExchange.get("/first"));

        FakeExchange second = FakeExchange.get("/second");
        Outcome outcome = forward(second);

        assertEquals(Outcome.Failure.NONE, outcome.failure());
        assertEquals(200, second.status);
        assertEquals("ok", second.bodyText());
        assertEquals(2, backend.connections());
        List<String> lines = backend.receivedSoFar().stream().map(RawBackend.Request::requestLine).toList();
        assertEquals(List.of("GET /first HTTP/1.1", "GET /second HTTP/1.1", "GET /second HTTP/1.1"), lines);
    }

    @Test
    void aConnectionWhoseHeadAnswerAnnouncedABodyIsNotReused() throws Exception {
        // A careless backend sends the announced body after a HEAD answer, late: reusing the connection would
        // read those bytes as the next response.
        backend = new RawBackend(connection -> {
            if (connection.read().method().equals("HEAD")) {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
                if (connection.read() != null) {
                    connection.write("twelve bytes" + OK);
                }
            } else {
                connection.write(OK);
            }
        });
        FakeExchange head = new FakeExchange("HEAD", "/h", Map.of(), InputStream.nullInputStream());
        assertEquals(200, forward(head).status());
        assertEquals("", head.bodyText());

        FakeExchange next = FakeExchange.get("/next");
        assertEquals(200, forward(next).status());
        assertEquals("ok", next.bodyText());
        assertEquals(2, backend.connections(), "the GET went on a fresh connection");
    }

    @Test
    void aPostOnAPooledConnectionTheBackendClosedFailsAndIsNotSentAgain() throws Exception {
        backend = new RawBackend(answersOnceThenClosesOnTheNextRequest());
        forward(FakeExchange.get("/first"));

        FakeExchange post = FakeExchange.post("/once", "payload");
        Outcome outcome = forward(post);

        assertEquals(Outcome.Failure.BACKEND, outcome.failure());
        assertEquals(502, post.status);
        assertEquals(1, backend.connections());
        List<RawBackend.Request> received = backend.receivedSoFar();
        assertEquals(2, received.size(), "the GET, then the POST once");
        assertEquals("POST", received.get(1).method());
        assertEquals("payload", new String(received.get(1).body(), StandardCharsets.UTF_8));
    }

    @Test
    void aBackendSilentMidBodyForTheIdleTimeoutBreaksTheResponseOff() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        FakeExchange exchange = FakeExchange.get("/stalls");
        try {
            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> forward(exchange));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertTrue(tookMillis >= 250 && tookMillis < 5_000, "broke off after " + tookMillis + "ms");
            assertEquals(200, exchange.status);
            assertEquals(100, exchange.announcedLength);
            assertEquals("0123456789", exchange.bodyText());
            assertFalse(exchange.completed, "a cut response must not be completed");
        } finally {
            release.countDown();
        }
    }

    @Test
    void aStatusLineThatIsNotHttpAnswers502AsABackendFailure() throws Exception {
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 OK 200\r\nContent-Length: 0\r\n\r\n");
        });
        FakeExchange exchange = FakeExchange.get("/garbage");

        Outcome outcome = forward(exchange);

        assertEquals(Outcome.Failure.BACKEND, outcome.failure());
        assertEquals(502, exchange.status);
    }

    @Test
    void aMalformedAnswerIsLeftUnansweredWhenTheCallerRetriesSentRequests() throws Exception {
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 200 OK\r\nBad Header: folded\r\n\r\n");
        });
        FakeExchange exchange = FakeExchange.get("/garbage");

        Outcome outcome = forwarder.forward(exchange, Backend.of(backend.url()),
                new Attempt(false, true, Set.of(), Long.MAX_VALUE));

        assertFalse(outcome.answered());
        assertEquals(Outcome.Failure.BACKEND, outcome.failure());
        assertEquals(502, outcome.status());
        assertEquals(-1, exchange.status, "the client got nothing yet");
    }

    @Test
    void responseHeadersOver64KiBAnswer502() throws Exception {
        String filler = "X-Filler: " + "a".repeat(1_000) + "\r\n";
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 200 OK\r\n" + filler.repeat(70) + "Content-Length: 0\r\n\r\n");
        });
        FakeExchange exchange = FakeExchange.get("/huge-head");

        Outcome outcome = forward(exchange);

        assertEquals(Outcome.Failure.BACKEND, outcome.failure());
        assertEquals(502, exchange.status);
        assertTrue(outcome.detail().contains("over 65536 bytes"), outcome.detail());
    }

    @Test
    void aChunkedResponseIsDecodedForTheHostToReframeAndItsConnectionReused() throws Exception {
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kept: yes\r\n\r\n"
                    + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: dropped\r\n\r\n");
            connection.read();
            connection.write(OK);
        });
        FakeExchange exchange = FakeExchange.get("/chunked");

        forward(exchange);
        FakeExchange next = FakeExchange.get("/next");
        forward(next);

        assertEquals(200, exchange.status);
        assertEquals(-1, exchange.announcedLength);
        assertEquals("hello world", exchange.bodyText());
        assertTrue(exchange.completed);
        assertEquals(List.of("yes"), exchange.responseHeaders.get("X-Kept"));
        assertNull(exchange.responseHeaders.get("Transfer-Encoding"));
        assertEquals("ok", next.bodyText());
        assertEquals(1, backend.connections(), "the chunked response ended cleanly, so its connection was reused");
    }

    @Test
    void aResponseDelimitedByCloseIsReadToTheEndAndItsConnectionNotReused() throws Exception {
        backend = new RawBackend(connection -> {
            if (connection.number == 1) {
                connection.read();
                connection.write("HTTP/1.1 200 OK\r\n\r\nuntil the end");
                connection.socket.close();
            } else {
                RawBackend.keepAliveAnswering("ok").serve(connection);
            }
        });
        FakeExchange exchange = FakeExchange.get("/until-close");

        forward(exchange);
        FakeExchange next = FakeExchange.get("/next");
        forward(next);

        assertEquals(-1, exchange.announcedLength);
        assertEquals("until the end", exchange.bodyText());
        assertTrue(exchange.completed);
        assertEquals("ok", next.bodyText());
        assertEquals(2, backend.connections());
    }

    @Test
    void interimResponsesAreSkipped() throws Exception {
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nfinal");
        });
        FakeExchange exchange = FakeExchange.get("/hints");

        Outcome outcome = forward(exchange);

        assertEquals(201, outcome.status());
        assertEquals("final", exchange.bodyText());
        assertNull(exchange.responseHeaders.get("Link"));
    }

    @Test
    void aStatusTheCallerRetriesIsDiscardedAndReturnedUnansweredWithItsRetryAfter() throws Exception {
        backend = new RawBackend(connection -> {
            connection.read();
            connection.write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy");
            connection.read();
            connection.write(OK);
        });
        FakeExchange exchange = FakeExchange.get("/busy");

        Outcome outcome = forwarder.forward(exchange, Backend.of(backend.url()),
                new Attempt(false, false, Set.of(503), Long.MAX_VALUE));
        FakeExchange next = FakeExchange.get("/next");
        forward(next);

        assertFalse(outcome.answered());
        assertEquals(503, outcome.status());
        assertEquals(7, outcome.retryAfter());
        assertEquals(-1, exchange.status, "the client got nothing");
        assertEquals("ok", next.bodyText());
        assertEquals(1, backend.connections(), "the small body was drained and the connection kept");
    }

    @Test
    void aBodyLimitHitWhileUploadingAnswersItsStatusAndAbortsTheBackendRequest() throws Exception {
        CountDownLatch backendSawTheEnd = new CountDownLatch(1);
        backend = new RawBackend(connection -> {
            try {
                connection.read();
            } finally {
                backendSawTheEnd.countDown();
            }
        });
        InputStream tooLarge = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 1_000) {
                    return 'x';
                }
                throw new ClientBodyException(413, "request body over 1000 bytes");
            }
        };
        FakeExchange exchange = new FakeExchange("PUT", "/upload",
                Map.of("Content-Length", List.of("5000")), tooLarge);

        Outcome outcome = forward(exchange);

        assertEquals(Outcome.Failure.BAD_REQUEST, outcome.failure());
        assertEquals(413, outcome.status());
        assertEquals(413, exchange.status);
        assertEquals("request body over 1000 bytes\n", exchange.bodyText());
        assertTrue(backendSawTheEnd.await(5, TimeUnit.SECONDS), "the backend connection was not closed");
        assertTrue(backend.receivedSoFar().isEmpty(), "the backend must not receive a whole request");
    }

    @Test
    void aBackendThatAnswersEarlyAndClosesWhileWeUploadIsRelayed() throws Exception {
        backend = new RawBackend(connection -> {
            byte[] head = new byte[64];
            int read = connection.in.read(head); // part of the request, then refuse the rest
            assertTrue(read > 0);
            connection.write("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\n"
                    + "too big\n");
            connection.socket.close();
        });
        byte[] body = new byte[32 << 20];
        FakeExchange exchange = new FakeExchange("POST", "/upload",
                Map.of("Content-Length", List.of(Integer.toString(body.length))), new ByteArrayInputStream(body));

        Outcome outcome = forward(exchange);

        assertEquals(413, outcome.status());
        assertEquals(413, exchange.status);
        assertEquals("too big\n", exchange.bodyText());
    }

    @Test
    void aRequestIsWrittenAsReceived() throws Exception {
        backend = new RawBackend(RawBackend.keepAliveAnswering("ok"));
        String latin1Value = new String("caf\u00e9".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        FakeExchange exchange = new FakeExchange("OPTIONS", "/p?", Map.of("X-Name", List.of(latin1Value),
                "Host", List.of("shop.example")), InputStream.nullInputStream());

        forward(exchange);

        RawBackend.Request received = backend.takeRequest();
        assertEquals("OPTIONS /p? HTTP/1.1", received.requestLine());
        assertEquals(latin1Value, received.header("X-Name"));
        assertEquals(backend.url().substring("http://".length()), received.header("Host"));
        assertEquals("shop.example", received.header("X-Forwarded-Host"));
        assertNull(received.header("Content-Length"));
        assertNull(received.header("User-Agent"));
    }
}
