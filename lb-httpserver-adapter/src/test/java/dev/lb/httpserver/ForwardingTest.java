package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lb.core.LoadBalancer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests and responses cross the proxy unchanged: method, target, bodies and their framing. */
class ForwardingTest extends MockBackendFixture {
    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PURGE", "FOO"})
    void everyMethodWithABodyIsForwardedAsSent(String method) throws Exception {
        backend.enqueue(new MockResponse.Builder().body("answer to " + method).build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send(method + " /m?x=1 HTTP/1.1\r\nHost: " + proxy.authority()
                    + "\r\nContent-Length: 4\r\n\r\nbody");
            response = client.read(method);
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals(method, received.getMethod());
        assertEquals("/m?x=1", received.getTarget());
        assertEquals("body", received.getBody().utf8());
        assertEquals(200, response.status());
        assertEquals("answer to " + method, response.bodyText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "DELETE"})
    void aRequestWithoutABodyIsForwardedWithoutBodyFraming(String method) throws Exception {
        backend.enqueue(new MockResponse.Builder().body("hello").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send(method + " /plain HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read(method);
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals(method, received.getMethod());
        assertEquals("/plain", received.getTarget());
        assertEquals(0, received.getBodySize());
        assertNull(received.getHeaders().get("Transfer-Encoding"));
        assertNull(received.getHeaders().get("Content-Length"));
        assertEquals("hello", response.bodyText());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/a%2Fb//c;x=1?q=%20&r=a+b&&s=",
            "/",
            "/a/../b/./c",
            "/%E2%82%AC/%c3%a9?x=%C3%A9&y=%2f",
            "/q?a=b?c&d=/e",
            "/sub-delims/!$&'()*+,;=:@~",
            "/p?&",
    })
    void pathAndQueryReachTheBackendByteForByte(String target) throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(200, response.status());
        assertEquals(target, backend.takeRequest().getTarget());
    }

    @Test
    void aBackendBasePathPrefixesTheTarget() throws Exception {
        try (TestProxy withBase = TestProxy.to(TestProxy.url(backend) + "/base/")) {
            backend.enqueue(new MockResponse.Builder().body("one").build());
            backend.enqueue(new MockResponse.Builder().body("two").build());

            try (RawConnection client = withBase.connect()) {
                client.send("GET /x/y?z=%20 HTTP/1.1\r\nHost: " + withBase.authority() + "\r\n\r\n");
                assertEquals("one", client.read("GET").bodyText());
                client.send("GET / HTTP/1.1\r\nHost: " + withBase.authority() + "\r\n\r\n");
                assertEquals("two", client.read("GET").bodyText());
            }
        }

        assertEquals("/base/x/y?z=%20", backend.takeRequest().getTarget());
        assertEquals("/base/", backend.takeRequest().getTarget());
    }

    @Test
    void mountingOnAnApplicationServerStripsTheContextPath() throws Exception {
        HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService executor = Executors.newCachedThreadPool();
        app.setExecutor(executor);
        try (LoadBalancer lb = LoadBalancer.builder().backend(TestProxy.url(backend) + "/base").start()) {
            HttpServerAdapter.mount(app, "/api", lb);
            app.start();
            List<String> sent = List.of("/api/users?id=7", "/api", "/api?q=1", "/api/", "/api//double");
            try (RawConnection client = RawConnection.open(app.getAddress())) {
                for (String target : sent) {
                    backend.enqueue(new MockResponse.Builder().body("ok").build());
                    client.send("GET " + target + " HTTP/1.1\r\nHost: app\r\n\r\n");
                    assertEquals(200, client.read("GET").status(), target);
                }
                // HttpServer also routes "/apix" to the "/api" context; it is not below the mount point.
                client.send("GET /apix?y HTTP/1.1\r\nHost: app\r\n\r\n");
                assertEquals(404, client.read("GET").status(), "/apix?y");
            }
        } finally {
            app.stop(0);
            executor.shutdownNow();
        }

        assertEquals("/base/users?id=7", backend.takeRequest().getTarget());
        assertEquals("/base/", backend.takeRequest().getTarget());
        assertEquals("/base/?q=1", backend.takeRequest().getTarget());
        assertEquals("/base/", backend.takeRequest().getTarget());
        assertEquals("/base//double", backend.takeRequest().getTarget());
        assertEquals(5, backend.getRequestCount(), "nothing else reached the backend");
    }

    @Test
    void aRequestBodyWithContentLengthArrivesIntactWithItsLength() throws Exception {
        byte[] body = randomBytes(300_000);
        backend.enqueue(new MockResponse.Builder().body("stored").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("PUT /blob HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nContent-Length: " + body.length
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n");
            client.send(body);
            response = client.read("PUT");
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals(Integer.toString(body.length), received.getHeaders().get("Content-Length"));
        assertNull(received.getHeaders().get("Transfer-Encoding"));
        assertArrayEquals(body, received.getBody().toByteArray(), "body differs");
        assertEquals("stored", response.bodyText());
    }

    @Test
    void aChunkedRequestBodyArrivesIntactAndChunked() throws Exception {
        byte[] body = randomBytes(100_000);
        backend.enqueue(new MockResponse.Builder().body("stored").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("POST /stream HTTP/1.1\r\nHost: " + proxy.authority()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            int offset = 0;
            for (int size : new int[] {1, 4095, 30_000, 65_904}) {
                ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                chunk.write((Integer.toHexString(size) + ";ext=1\r\n").getBytes(StandardCharsets.US_ASCII));
                chunk.write(body, offset, size);
                chunk.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                client.send(chunk.toByteArray());
                offset += size;
            }
            client.send("0\r\n\r\n");
            response = client.read("POST");
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals("chunked", received.getHeaders().get("Transfer-Encoding"));
        assertNull(received.getHeaders().get("Content-Length"));
        assertArrayEquals(body, received.getBody().toByteArray(), "body differs");
        assertEquals("stored", response.bodyText());
    }

    @Test
    void aResponseWithContentLengthKeepsItsLength() throws Exception {
        byte[] body = randomBytes(200_000);
        backend.enqueue(new MockResponse.Builder().body(new Buffer().write(body)).build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /fixed HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertEquals(Integer.toString(body.length), response.header("Content-Length"));
        assertFalse(response.chunked());
        assertArrayEquals(body, response.body(), "body differs");
    }

    @Test
    void aChunkedResponseIsStreamedChunked() throws Exception {
        byte[] body = randomBytes(200_000);
        backend.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(body), 7_000).build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /chunked HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertTrue(response.chunked(), "expected chunked framing, got " + response.headerLines());
        assertNull(response.header("Content-Length"));
        assertEquals(1, response.headers("Transfer-Encoding").size());
        assertArrayEquals(body, response.body(), "body differs");
    }

    @Test
    void aResponseDelimitedByConnectionCloseIsStreamedChunkedAndComplete() throws Exception {
        byte[] body = randomBytes(50_000);
        try (ScriptedBackend closing = ScriptedBackend.start((socket, in, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            socket.close();
        }); TestProxy toClosing = TestProxy.to(closing.url())) {
            RawConnection.RawResponse response;
            try (RawConnection client = toClosing.connect()) {
                client.send("GET /until-close HTTP/1.1\r\nHost: " + toClosing.authority() + "\r\n\r\n");
                response = client.read("GET");
                // The proxy's connection stays open: Connection: close was the backend's hop, not ours.
                backend.enqueue(new MockResponse.Builder().build());
                client.send("GET /again HTTP/1.1\r\nHost: " + toClosing.authority() + "\r\n\r\n");
                assertEquals(200, client.read("GET").status());
            }

            assertTrue(response.chunked(), "expected chunked framing, got " + response.headerLines());
            assertArrayEquals(body, response.body(), "body differs");
            assertEquals("GET /until-close HTTP/1.1", closing.takeRequest().requestLine());
        }
    }

    @Test
    void anAbsoluteFormTargetIsReducedToItsPathAndQuery() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET http://shop.example/a%2Fb?q=1 HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals("/a%2Fb?q=1", received.getTarget());
        assertEquals("shop.example", received.getHeaders().get("X-Forwarded-Host"));
    }

    @Test
    void anEmptyPostIsForwardedWithAZeroContentLength() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());

        try (RawConnection client = proxy.connect()) {
            client.send("POST /empty HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nContent-Length: 0\r\n\r\n");
            assertEquals(200, client.read("POST").status());
        }

        RecordedRequest received = backend.takeRequest();
        assertEquals("0", received.getHeaders().get("Content-Length"));
        assertEquals(0, received.getBodySize());
    }

    @Test
    void expectContinueIsAnsweredByTheProxyAndNotForwarded() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("stored").build());

        try (RawConnection client = proxy.connect()) {
            client.send("PUT /big HTTP/1.1\r\nHost: " + proxy.authority()
                    + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertEquals(100, client.read("PUT").status());
            client.send("hello");
            RawConnection.RawResponse response = client.read("PUT");
            assertEquals(200, response.status());
            assertEquals("stored", response.bodyText());
        }

        RecordedRequest received = backend.takeRequest();
        assertNull(received.getHeaders().get("Expect"));
        assertEquals("hello", received.getBody().utf8());
    }

    @Test
    void anHttp10ClientGetsAStreamedBodyDelimitedByClose() throws Exception {
        byte[] body = randomBytes(20_000);
        backend.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(body), 1_000).build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /old HTTP/1.0\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
        }

        assertFalse(response.chunked(), "HTTP/1.0 has no chunked encoding");
        assertArrayEquals(body, response.body(), "body differs");
        assertEquals("HTTP/1.1", backend.takeRequest().getVersion());
    }

    @Test
    void anEarlyHintsResponseDoesNotReplaceTheFinalResponse() throws Exception {
        backend.enqueue(new MockResponse.Builder()
                .addInformationalResponse(new MockResponse.Builder().code(103)
                        .addHeader("Link", "</style.css>; rel=preload").build())
                .body("final").build());

        RawConnection.RawResponse response;
        try (RawConnection client = proxy.connect()) {
            client.send("GET /hints HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            response = client.read("GET");
            while (response.status() / 100 == 1) {
                response = client.read("GET");
            }
        }

        assertEquals(200, response.status());
        assertEquals("final", response.bodyText());
    }

    static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
