package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * What a transparent proxy should do and the default engine ({@code java.net.http.HttpClient}, JDK 17 to 25)
 * cannot: the client writes the request line and headers itself and offers no way around these. Each test states
 * the intended behaviour and is disabled with the reason; an engine that writes requests itself should enable them.
 */
class JdkEngineLimitationsTest {
    private MockWebServer backend;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        backend = TestProxy.startMockServer();
        proxy = TestProxy.to(TestProxy.url(backend));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        backend.close();
    }

    @Test
    @Disabled("HttpClient builds the request target from URI.getRawQuery() and omits an empty query"
            + " (Http1Request.getPathAndQuery), so /p? reaches the backend as /p")
    void anEmptyQueryKeepsItsQuestionMark() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /p? HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        assertEquals("/p?", backend.takeRequest().getTarget());
    }

    @Test
    void aRequestHeaderWithBytesBeyondAsciiIsRefusedRatherThanAltered() throws Exception {
        // HttpClient encodes request headers as US-ASCII (Http1Request.headers): every byte above 0x7F would
        // reach the backend as '?'. Until an engine can pass them unchanged, such a request is refused.
        String utf8AsLatin1 = new String("caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nX-Name: " + utf8AsLatin1 + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(400, response.status());
        assertTrue(response.bodyText().startsWith("bad request: header X-name has a byte outside ASCII"),
                response.bodyText());
        assertEquals(0, backend.getRequestCount());
    }

    @Test
    @Disabled("HttpClient adds its own User-Agent (Java-http-client/<version>) to a request that has none")
    void aRequestWithoutUserAgentReachesTheBackendWithoutOne() throws Exception {
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        assertNull(backend.takeRequest().getHeaders().get("User-Agent"));
    }

    @Test
    @Disabled("HttpClient.method(m, noBody()) sends Content-Length: 0; only GET() and DELETE() (and HEAD() from"
            + " Java 18) send none, so other body-less requests, HEAD on 17 included, gain Content-Length: 0")
    void aBodylessRequestOfAnyMethodReachesTheBackendWithoutContentLength() throws Exception {
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send("OPTIONS /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read("OPTIONS").status());
        }

        assertNull(backend.takeRequest().getHeaders().get("Content-Length"));
    }
}
