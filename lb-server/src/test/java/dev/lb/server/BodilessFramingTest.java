package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * Responses that carry no body (HEAD, 204, 304) are framed without one, and the next response on the same
 * connection starts right after their headers: a stray body byte would break it.
 */
class BodilessFramingTest extends MockBackendFixture {
    @Test
    void aHeadResponseAnnouncesTheLengthAndSendsNoBody() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("twelve bytes").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());
        try (RawClient client = server.connect()) {
            client.send("HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response head = client.read("HEAD");
            assertEquals(200, head.status());
            assertEquals("12", head.header("Content-Length"));

            client.send(server.get("/next"));
            assertEquals("next", client.read("GET").bodyText());
        }
    }

    @Test
    void a204HasNeitherBodyNorLength() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(204).build());
        backend.enqueue(new MockResponse.Builder().body("next").build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/empty"));
            RawClient.Response response = client.read("GET");
            assertEquals(204, response.status());
            assertNull(response.header("Content-Length"));
            assertNull(response.header("Transfer-Encoding"));

            client.send(server.get("/next"));
            assertEquals("next", client.read("GET").bodyText());
        }
    }

    @Test
    void a304SendsNoBody() throws Exception {
        backend.enqueue(new MockResponse.Builder().code(304).addHeader("ETag", "\"v1\"").build());
        backend.enqueue(new MockResponse.Builder().body("next").build());
        try (RawClient client = server.connect()) {
            client.send("GET /cached HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"v1\"\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertEquals(304, response.status());
            assertEquals("\"v1\"", response.header("ETag"));
            assertNull(response.header("Transfer-Encoding"));

            client.send(server.get("/next"));
            assertEquals("next", client.read("GET").bodyText());
        }
    }

    @Test
    void aResponseOfUnknownLengthIsChunkedFor11AndCloseDelimitedFor10() throws Exception {
        backend.enqueue(new MockResponse.Builder().chunkedBody("streamed body", 4).build());
        backend.enqueue(new MockResponse.Builder().chunkedBody("streamed body", 4).build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/chunked"));
            RawClient.Response response = client.read("GET");
            assertEquals("chunked", response.header("Transfer-Encoding"));
            assertEquals("streamed body", response.bodyText());
        }
        try (RawClient client = server.connect()) {
            client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertNull(response.header("Transfer-Encoding"));
            assertNull(response.header("Content-Length"));
            assertEquals("close", response.header("Connection"));
            assertEquals("streamed body", response.bodyText());
        }
    }
}
