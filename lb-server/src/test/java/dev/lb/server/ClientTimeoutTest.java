package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Slow clients cannot hold a connection: short timeouts here, real waits for them to pass. */
class ClientTimeoutTest {
    private static final Duration SHORT = Duration.ofMillis(300);

    private MockWebServer backend;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        backend = TestServer.startMockServer();
        server = TestServer.start(LoadBalancer.builder().backend(TestServer.url(backend)), ServerOptions.builder()
                .headerReadTimeout(SHORT).bodyReadTimeout(SHORT).idleTimeout(SHORT).writeTimeout(SHORT).build());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        backend.close();
    }

    @Test
    void headersThatTrickleInTooSlowlyGet408() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n");
            long start = System.nanoTime();
            RawClient.Response response = client.read("GET");

            assertEquals(408, response.status());
            assertTrue(response.bodyText().contains("request headers took longer than 300 ms"), response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
            assertTrue(System.nanoTime() - start >= SHORT.toNanos() / 2, "not before the timeout");
        }
        assertEquals(0, backend.getRequestCount());
    }

    @Test
    void aStalledRequestBodyAbortsTheRequestAndClosesTheConnection() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("never").build());
        try (RawClient client = server.connect()) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");

            RawClient.Response response = client.read("POST");

            assertEquals(408, response.status());
            assertEquals("request timeout: the request body stalled\n", response.bodyText());
            assertTrue(client.closedByServer());
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the stalled request stayed in flight");
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedQuietly() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("one").build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/one"));
            assertEquals("one", client.read("GET").bodyText());

            assertTrue(client.closedByServer(), "closed without a response");
        }
    }

    @Test
    void aClientThatStopsReadingIsCutAndItsRequestReleased() throws Exception {
        // 64 MiB: far more than the socket buffers between the server and the client hold.
        backend.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[64 << 20])).build());
        try (RawClient client = server.connect()) {
            client.send(server.get("/download"));
            TestServer.awaitTrue(() -> server.lb.inFlight() == 1, "the download is in flight");

            // The client reads nothing until the server has given up on it.
            TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "a client that stopped reading held its request");

            long received = 0;
            try {
                for (int read; (read = client.input().read(new byte[1 << 16])) > 0; ) {
                    received += read;
                }
            } catch (IOException reset) {
                // the server closed with unread input, which may reset the connection: cut either way
            }
            assertTrue(received < 64 << 20, "the response was cut: " + received + " bytes arrived");
        }
    }
}
