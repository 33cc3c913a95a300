package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend receives the request as the client wrote it: details an HTTP client library would normalize (an
 * empty query, bytes beyond ASCII, headers it adds on its own) pass through unchanged.
 */
class RequestTransparencyTest extends MockBackendFixture {
    @Test
    void anEmptyQueryKeepsItsQuestionMark() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /p? HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        assertEquals("/p?", backend.takeRequest().getTarget());
    }

    @Test
    void aRequestHeaderWithBytesBeyondAsciiReachesTheBackendUnchanged() throws Exception {
        String utf8AsLatin1 = new String("caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        try (ScriptedBackend raw = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
             TestProxy toRaw = TestProxy.to(raw.url());
             RawConnection client = toRaw.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + toRaw.authority() + "\r\nX-Name: " + utf8AsLatin1 + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());

            assertEquals(1, raw.takeRequest().headerLines().stream()
                    .filter(line -> line.equalsIgnoreCase("X-Name: " + utf8AsLatin1)).count());
        }
    }

    @Test
    void aRequestWithoutUserAgentReachesTheBackendWithoutOne() throws Exception {
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        assertNull(backend.takeRequest().getHeaders().get("User-Agent"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPTIONS", "HEAD", "PATCH"})
    void aBodylessRequestOfAnyMethodReachesTheBackendWithoutContentLength(String method) throws Exception {
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send(method + " /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals(200, client.read(method).status());
        }

        assertNull(backend.takeRequest().getHeaders().get("Content-Length"));
    }
}
