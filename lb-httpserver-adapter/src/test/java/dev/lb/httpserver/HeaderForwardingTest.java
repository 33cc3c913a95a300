package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/** Hop-by-hop headers stop at the proxy in both directions; end-to-end headers pass; X-Forwarded-* are set. */
class HeaderForwardingTest extends MockBackendFixture {
    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

    @Test
    void hopByHopRequestHeadersAndTheOnesConnectionNamesAreDropped() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("POST /h HTTP/1.1\r\n"
                    + "Host: " + proxy.authority() + "\r\n"
                    + "Connection: keep-alive, X-Per-Hop, x-other-hop\r\n"
                    + "X-Per-Hop: secret\r\n"
                    + "X-Other-Hop: also secret\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                    + "Proxy-Authenticate: Basic\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Transfer-Encoding: chunked\r\n"
                    + "X-End-To-End: kept\r\n"
                    + "Authorization: Bearer token\r\n"
                    + "\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n");
            assertEquals(200, client.read("POST").status());
        }

        RecordedRequest received = backend.takeRequest();
        Headers headers = received.getHeaders();
        for (String name : HOP_BY_HOP) {
            if (name.equals("transfer-encoding")) {
                // The proxy frames the body it sends on its own hop; the client's header value is not passed on.
                assertEquals(List.of("chunked"), headers.values(name));
            } else {
                assertNull(headers.get(name), name + " reached the backend: " + headers);
            }
        }
        assertNull(headers.get("X-Per-Hop"), "a header named by Connection reached the backend");
        assertNull(headers.get("X-Other-Hop"), "a header named by Connection reached the backend");
        assertEquals("kept", headers.get("X-End-To-End"));
        assertEquals("Bearer token", headers.get("Authorization"));
        assertEquals("hello", received.getBody().utf8());
    }

    @Test
    void endToEndRequestHeadersPassWithEveryValueInOrder() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\n"
                    + "Host: " + proxy.authority() + "\r\n"
                    + "Accept: text/html\r\n"
                    + "X-Multi: one\r\n"
                    + "Cookie: a=1\r\n"
                    + "X-Multi: two, three\r\n"
                    + "User-Agent: raw-test/1.0\r\n"
                    + "If-None-Match: \"abc\"\r\n"
                    + "X-Empty:\r\n"
                    + "\r\n");
            assertEquals(200, client.read("GET").status());
        }

        Headers headers = backend.takeRequest().getHeaders();
        assertEquals(List.of("one", "two, three"), headers.values("X-Multi"));
        assertEquals("text/html", headers.get("Accept"));
        assertEquals("a=1", headers.get("Cookie"));
        assertEquals("raw-test/1.0", headers.get("User-Agent"));
        assertEquals("\"abc\"", headers.get("If-None-Match"));
        assertEquals("", headers.get("X-Empty"));
    }

    @Test
    void hopByHopResponseHeadersAreDroppedAndEndToEndOnesKept() throws Exception {
        backend.enqueue(new MockResponse.Builder()
                .addHeader("Connection", "X-Backend-Hop")
                .addHeader("X-Backend-Hop", "secret")
                .addHeader("Keep-Alive", "timeout=5, max=100")
                .addHeader("Proxy-Authenticate", "Basic realm=\"backend\"")
                .addHeader("Proxy-Connection", "keep-alive")
                .addHeader("TE", "trailers")
                .addHeader("Trailer", "X-Checksum")
                .addHeader("Upgrade", "h2c")
                .addHeader("Set-Cookie", "a=1; Path=/")
                .addHeader("Set-Cookie", "b=2; Path=/")
                .addHeader("Cache-Control", "no-store")
                .addHeader("X-Backend", "kept")
                .body("payload")
                .build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        List<String> names = response.headerNames();
        for (String name : HOP_BY_HOP) {
            assertFalse(names.contains(name), name + " reached the client: " + names);
        }
        assertFalse(names.contains("x-backend-hop"), "a header named by Connection reached the client");
        assertEquals(List.of("a=1; Path=/", "b=2; Path=/"), response.headers("Set-Cookie"));
        assertEquals("no-store", response.header("Cache-Control"));
        assertEquals("kept", response.header("X-Backend"));
        assertEquals("payload", response.bodyText());
    }

    @Test
    void theResponseCarriesOneDateHeaderEvenWhenTheBackendSentOne() throws Exception {
        backend.enqueue(new MockResponse.Builder().addHeader("date", "Mon, 01 Jan 2001 00:00:00 GMT")
                .body("ok").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /d HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(1, response.headers("Date").size(), response.headerNames().toString());
    }

    @Test
    void aChunkedBackendResponseIsReframedByTheProxyNotCopied() throws Exception {
        backend.enqueue(new MockResponse.Builder().chunkedBody("payload", 3).build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(List.of("chunked"), response.headers("Transfer-Encoding").stream()
                .map(v -> v.toLowerCase(Locale.ROOT)).toList());
        assertEquals("payload", response.bodyText());
    }

    @Test
    void responseHeaderValuesWithBytesBeyondAsciiPassUnchanged() throws Exception {
        String utf8AsLatin1 = new String("caf\u00e9 \u20ac".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        try (ScriptedBackend raw = ScriptedBackend.start(ScriptedBackend.answerAndClose(
                "HTTP/1.1 200 OK\r\nX-Reply: " + utf8AsLatin1 + "\r\nContent-Length: 0\r\n\r\n"));
             TestProxy toRaw = TestProxy.to(raw.url());
             RawConnection client = toRaw.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + toRaw.authority() + "\r\n\r\n");

            assertEquals(utf8AsLatin1, client.read("GET").header("X-Reply"));
        }
    }

    @Test
    void xForwardedForAppendsTheClientAddressToTheChainReceived() throws Exception {
        backend.enqueue(new MockResponse.Builder().build());
        backend.enqueue(new MockResponse.Builder().build());
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /a HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n");
            client.read("GET");
            client.send("GET /b HTTP/1.1\r\nHost: " + proxy.authority()
                    + "\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8, 9.9.9.9\r\n\r\n");
            client.read("GET");
            client.send("GET /c HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            client.read("GET");
        }

        assertEquals(List.of("1.2.3.4, 127.0.0.1"), backend.takeRequest().getHeaders().values("X-Forwarded-For"));
        assertEquals(List.of("1.2.3.4, 5.6.7.8, 9.9.9.9, 127.0.0.1"),
                backend.takeRequest().getHeaders().values("X-Forwarded-For"));
        assertEquals(List.of("127.0.0.1"), backend.takeRequest().getHeaders().values("X-Forwarded-For"));
    }

    @Test
    void theBackendSeesItsOwnHostAndTheClientsHostAsXForwardedHost() throws Exception {
        backend.enqueue(new MockResponse.Builder().build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: shop.example:8443\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: spoofed.example\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        Headers headers = backend.takeRequest().getHeaders();
        assertEquals(List.of("127.0.0.1:" + backend.getPort()), headers.values("Host"));
        assertEquals(List.of("shop.example:8443"), headers.values("X-Forwarded-Host"));
        assertEquals(List.of("http"), headers.values("X-Forwarded-Proto"));
    }

    @Test
    void theResponseStatusAndReasonComeFromTheBackend() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(418).body("teapot").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /h HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(418, response.status());
        assertEquals("teapot", response.bodyText());
        assertTrue(response.statusLine().startsWith("HTTP/1.1 418"), response.statusLine());
    }
}
