package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that are ambiguous (the stuff of request smuggling) or over a limit are refused with a status and a
 * one-line body naming the problem, and the connection is closed; none reaches the backend.
 */
class MalformedRequestTest extends MockBackendFixture {
    static Stream<Arguments> refusedRequests() {
        String head = "POST / HTTP/1.1\r\nHost: x\r\n";
        return Stream.of(
                Arguments.of("both framings", head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400, "Content-Length together with Transfer-Encoding"),
                Arguments.of("differing lengths", head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        400, "conflicting Content-Length"),
                Arguments.of("differing lengths in one line", head + "Content-Length: 5, 6\r\n\r\nhello!",
                        400, "conflicting Content-Length"),
                Arguments.of("signed length", head + "Content-Length: +5\r\n\r\nhello",
                        400, "invalid Content-Length"),
                Arguments.of("bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                        400, "invalid chunk size"),
                Arguments.of("unknown transfer coding", head + "Transfer-Encoding: gzip\r\n\r\n",
                        501, "Transfer-Encoding gzip"),
                Arguments.of("obsolete line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n",
                        400, "obsolete line folding"),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : one\r\n\r\n",
                        400, "whitespace before the colon"),
                Arguments.of("request line over 8 KiB", "GET /" + "a".repeat(8 * 1024) + " HTTP/1.1\r\n\r\n",
                        414, "request line is over 8192 bytes"),
                Arguments.of("headers over 64 KiB", "GET / HTTP/1.1\r\n"
                        + ("X-Big: " + "b".repeat(8000) + "\r\n").repeat(9) + "\r\n",
                        431, "over 65536 bytes"),
                Arguments.of("over 100 header lines", "GET / HTTP/1.1\r\n" + "X-N: 1\r\n".repeat(101) + "\r\n",
                        431, "over 100 header lines"),
                Arguments.of("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                        505, "HTTP version not supported"),
                Arguments.of("garbage", "hello\r\n\r\n", 400, "malformed request line"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedRequests")
    void anAmbiguousOrOversizedRequestIsRefusedAndTheConnectionClosed(String name, String request, int status,
                                                                        String problem) throws Exception {
        backend.enqueue(new MockResponse.Builder().body("should not be seen").build());
        try (RawClient client = server.connect()) {
            client.send(request);
            RawClient.Response response = client.read("POST");

            assertEquals(status, response.status());
            assertTrue(response.bodyText().contains(problem), response.bodyText());
            assertTrue(response.bodyText().indexOf('\n') == response.bodyText().length() - 1, "one line");
            assertEquals("text/plain; charset=utf-8", response.header("Content-Type"));
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
        if (!name.equals("bad chunk size")) {
            assertEquals(0, backend.getRequestCount());
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "a request stayed in flight");
    }

    @Test
    void aNonAsciiHeaderValueReachesTheBackendAsTheSameBytes() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());
        String utf8AsLatin1 = new String("caf\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        try (RawClient client = server.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Name: " + utf8AsLatin1 + "\r\n\r\n");
            assertEquals(200, client.read("GET").status());
        }
        // The backend decodes the bytes as UTF-8: read as ISO-8859-1 and written back, they arrived unchanged.
        assertEquals("caf\u00e9", backend.takeRequest().getHeaders().get("X-Name"));
    }
}
