package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Responses that must not carry a body (to HEAD, 204, 304) reach the client without one, checked on the wire: the
 * next response on the same connection must parse, which it would not if a stray body or a chunk terminator sat
 * in front of it.
 */
class BodilessResponseTest extends MockBackendFixture {
    @Test
    void headKeepsTheBackendsContentLengthAndSendsNoBody() throws Exception {
        backend.enqueue(new MockResponse.Builder().setHeader("Content-Length", 1234)
                .addHeader("Content-Type", "text/plain").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());

        try (RawConnection client = proxy.connect()) {
            client.send(request("HEAD", "/resource"));
            RawConnection.RawResponse head = client.read("HEAD");
            client.send(request("GET", "/next"));
            RawConnection.RawResponse next = client.read("GET");

            assertEquals(200, head.status());
            assertEquals("1234", head.header("Content-Length"));
            assertEquals("text/plain", head.header("Content-Type"));
            assertNull(head.header("Transfer-Encoding"));
            assertEquals(200, next.status());
            assertEquals("next", next.bodyText());
        }

        assertEquals("HEAD", backend.takeRequest().getMethod());
        assertEquals("/next", backend.takeRequest().getTarget());
    }

    @Test
    void headOfAChunkedResourceAnnouncesNoLengthAndSendsNoBody() throws Exception {
        backend.enqueue(new MockResponse.Builder().removeHeader("Content-Length")
                .addHeader("Transfer-Encoding", "chunked").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());

        try (RawConnection client = proxy.connect()) {
            client.send(request("HEAD", "/resource"));
            RawConnection.RawResponse head = client.read("HEAD");
            client.send(request("GET", "/next"));
            RawConnection.RawResponse next = client.read("GET");

            assertEquals(200, head.status());
            assertNull(head.header("Content-Length"));
            assertEquals("next", next.bodyText());
        }
    }

    @Test
    void noContentCarriesNoBodyAndNoFraming() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(204).removeHeader("Content-Length")
                .addHeader("X-Done", "yes").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());

        try (RawConnection client = proxy.connect()) {
            client.send(request("DELETE", "/resource"));
            RawConnection.RawResponse noContent = client.read("DELETE");
            client.send(request("GET", "/next"));
            RawConnection.RawResponse next = client.read("GET");

            assertEquals(204, noContent.status());
            assertEquals("yes", noContent.header("X-Done"));
            assertNull(noContent.header("Content-Length"));
            assertNull(noContent.header("Transfer-Encoding"));
            assertEquals("next", next.bodyText());
        }
    }

    @Test
    void notModifiedCarriesNoBodyButKeepsItsValidators() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(304).setHeader("Content-Length", 1234)
                .addHeader("ETag", "\"v1\"").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());

        try (RawConnection client = proxy.connect()) {
            client.send("GET /resource HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nIf-None-Match: \"v1\"\r\n\r\n");
            RawConnection.RawResponse notModified = client.read("GET");
            client.send(request("GET", "/next"));
            RawConnection.RawResponse next = client.read("GET");

            assertEquals(304, notModified.status());
            assertEquals("\"v1\"", notModified.header("ETag"));
            assertEquals("1234", notModified.header("Content-Length"));
            assertNull(notModified.header("Transfer-Encoding"));
            assertEquals("next", next.bodyText());
        }

        assertEquals("\"v1\"", backend.takeRequest().getHeaders().get("If-None-Match"));
    }

    @Test
    void pipelinedRequestsAfterAHeadGetTheirOwnResponses() throws Exception {
        backend.enqueue(new MockResponse.Builder().setHeader("Content-Length", 10).build());
        backend.enqueue(new MockResponse.Builder().code(204).removeHeader("Content-Length").build());
        backend.enqueue(new MockResponse.Builder().body("last").build());

        try (RawConnection client = proxy.connect()) {
            client.send(request("HEAD", "/1") + request("GET", "/2") + request("GET", "/3"));

            assertEquals("10", client.read("HEAD").header("Content-Length"));
            assertEquals(204, client.read("GET").status());
            assertEquals("last", client.read("GET").bodyText());
        }
    }

    private String request(String method, String target) {
        return method + " " + target + " HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n";
    }
}
