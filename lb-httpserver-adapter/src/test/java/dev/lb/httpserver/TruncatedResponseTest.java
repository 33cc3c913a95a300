package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

/**
 * A backend that dies after the response headers leaves the client with a response that visibly failed (the
 * connection ends before the framing completes), never one that looks whole; the proxy itself keeps serving.
 */
class TruncatedResponseTest {
    private static final String TEN_BYTES = "0123456789";

    @Test
    void aFixedLengthBodyCutShortEndsTheClientConnectionBeforeTheAnnouncedLength() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n" + TEN_BYTES));
             TestProxy proxy = TestProxy.to(backend.url());
             RawConnection client = proxy.connect()) {
            client.send("GET /cut HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");

            RawConnection.Truncated failure = assertThrows(RawConnection.Truncated.class, () -> client.read("GET"));

            assertEquals(200, failure.partial.status());
            assertEquals("1000", failure.partial.header("Content-Length"));
            assertIsPrefixOf(TEN_BYTES, failure.partial.body());
        }
    }

    @Test
    void aChunkedBodyCutBeforeTheLastChunkNeverEndsWithALastChunk() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n" + TEN_BYTES + "\r\n"));
             TestProxy proxy = TestProxy.to(backend.url());
             RawConnection client = proxy.connect()) {
            client.send("GET /cut HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");

            RawConnection.Truncated failure = assertThrows(RawConnection.Truncated.class, () -> client.read("GET"));

            assertEquals(200, failure.partial.status());
            assertTrue(failure.partial.chunked(), "chunked framing expected: " + failure.partial.headerLines());
            assertIsPrefixOf(TEN_BYTES, failure.partial.body());
        }
    }

    @Test
    void aChunkedBodyCutInsideAChunkNeverEndsWithALastChunk() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + TEN_BYTES));
             TestProxy proxy = TestProxy.to(backend.url());
             RawConnection client = proxy.connect()) {
            client.send("GET /cut HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");

            RawConnection.Truncated failure = assertThrows(RawConnection.Truncated.class, () -> client.read("GET"));

            assertIsPrefixOf(TEN_BYTES, failure.partial.body());
        }
    }

    @Test
    void anHttpClientSeesTheCutAsAnIoFailure() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + TEN_BYTES));
             TestProxy proxy = TestProxy.to(backend.url())) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(proxy.uri("/cut")).build();

            assertThrows(IOException.class, () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        }
    }

    @Test
    void theProxyServesTheNextRequestAfterACut() throws Exception {
        MockWebServer backend = TestProxy.startMockServer();
        // Content-Length 1000 with 10 bytes, then the backend closes the connection.
        backend.enqueue(new MockResponse.Builder().body(TEN_BYTES).setHeader("Content-Length", 1000)
                .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
        backend.enqueue(new MockResponse.Builder().body("whole").build());
        try (TestProxy proxy = TestProxy.to(TestProxy.url(backend))) {
            try (RawConnection client = proxy.connect()) {
                client.send("GET /cut HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
                assertThrows(RawConnection.Truncated.class, () -> client.read("GET"));
            }
            try (RawConnection client = proxy.connect()) {
                client.send("GET /whole HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
                assertEquals("whole", client.read("GET").bodyText());
            }
        } finally {
            backend.close();
        }
    }

    private static void assertIsPrefixOf(String whole, byte[] partial) {
        byte[] expected = whole.getBytes(StandardCharsets.US_ASCII);
        assertTrue(partial.length <= expected.length, "more bytes than the backend sent: " + partial.length);
        assertArrayEquals(Arrays.copyOf(expected, partial.length), partial);
    }
}
