package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/** A client that leaves in the middle of a body costs nothing lasting: the request leaves flight, others go on. */
class ClientAbortTest extends MockBackendFixture {
    private static final int PART = 1 << 20;

    @Test
    void aClientLeavingMidDownloadReleasesTheRequest() throws Exception {
        // 64 MiB, sent 1 MiB every 50 ms: still flowing when the client leaves.
        backend.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[64 * PART]))
                .throttleBody(PART, 50, TimeUnit.MILLISECONDS).build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/download"));
            assertEquals(200, client.readHead().status());
            assertEquals(PART, client.input().readNBytes(PART).length);
            assertEquals(1, server.lb.inFlight());
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the aborted download stayed in flight");
        assertTheServerGoesOn();
    }

    @Test
    void aClientLeavingMidUploadReleasesTheRequest() throws Exception {
        // MockWebServer answers only once it has the whole body: this request gets no answer.
        try (RawClient client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (64L * PART) + "\r\n\r\n");
            client.send(new byte[PART]);
            TestServer.awaitTrue(() -> server.lb.inFlight() == 1, "the upload is in flight");
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the aborted upload stayed in flight");
        assertTheServerGoesOn();
    }

    @Test
    void aClientLeavingMidChunkedUploadReleasesTheRequest() throws Exception {
        // MockWebServer answers only once it has the whole body: this request gets no answer.
        try (RawClient client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            client.send(Integer.toHexString(PART) + "\r\n").send(new byte[PART]).send("\r\n");
            TestServer.awaitTrue(() -> server.lb.inFlight() == 1, "the upload is in flight");
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the aborted upload stayed in flight");
        assertTheServerGoesOn();
    }

    private void assertTheServerGoesOn() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("small").build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/small"));
            assertEquals("small", client.read("GET").bodyText());
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the follow-up request stayed in flight");
    }
}
