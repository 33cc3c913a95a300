package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Graceful close: in-flight requests finish, new ones are refused, idle connections go, no thread stays. */
class DrainTest {
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final ExecutorService testThreads = Executors.newCachedThreadPool();
    private MockWebServer backend;
    private TestServer server;

    @BeforeEach
    void start() throws IOException {
        backend = TestServer.startMockServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/slow")) {
                    slowArrived.countDown();
                    awaitQuietly(releaseSlow);
                }
                return new MockResponse.Builder().body("done " + request.getTarget()).build();
            }
        });
        server = TestServer.to(TestServer.url(backend));
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        server.close();
        backend.close();
        testThreads.shutdownNow();
    }

    @Test
    void closeLetsInFlightRequestsFinishRefusesNewOnesAndEndsEveryThread() throws Exception {
        try (RawClient slowClient = server.connect(); RawClient liveClient = server.connect();
             RawClient idleClient = server.connect()) {
            liveClient.send(server.get("/warm"));
            assertEquals("done /warm", liveClient.read("GET").bodyText());
            idleClient.send(server.get("/warm"));
            assertEquals("done /warm", idleClient.read("GET").bodyText());
            slowClient.send(server.get("/slow"));
            assertTrue(slowArrived.await(10, TimeUnit.SECONDS), "the slow request reached the backend");
            assertFalse(LiveThreads.named("lb-server-").isEmpty(), "connections run on lb-server- threads");

            CompletableFuture<Void> closing = CompletableFuture.runAsync(
                    () -> server.server.close(Duration.ofSeconds(30)), testThreads);

            assertTrue(idleClient.closedByServer(), "an idle keep-alive connection is closed at once");
            // The live connection was idle too, so it may be closed before its next request arrives.
            try {
                liveClient.send(server.get("/late"));
                RawClient.Response refused = liveClient.read("GET");
                assertEquals(503, refused.status());
                assertEquals("1", refused.header("Retry-After"));
                assertEquals("close", refused.header("Connection"));
            } catch (IOException closedFirst) {
                assertTrue(closedFirst.getMessage() != null);
            }
            assertThrows(IOException.class, () -> new RawClient(server.server.address()).send(server.get("/new"))
                    .read("GET"), "no new connection is accepted");
            assertFalse(closing.isDone(), "close waits for the request in flight");

            releaseSlow.countDown();
            RawClient.Response finished = slowClient.read("GET");
            assertEquals(200, finished.status());
            assertEquals("done /slow", finished.bodyText());
            assertEquals("close", finished.header("Connection"));
            closing.get(10, TimeUnit.SECONDS);
        }
        assertNoThreadLeft();
    }

    @Test
    void closeCutsRequestsThatOutliveTheGracePeriod() throws Exception {
        try (RawClient slowClient = server.connect()) {
            slowClient.send(server.get("/slow"));
            assertTrue(slowArrived.await(10, TimeUnit.SECONDS));

            server.server.close(Duration.ofMillis(200));

            assertThrows(IOException.class, () -> slowClient.read("GET"));
        }
        assertNoThreadLeft();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server's threads end with it; the load balancer's read-deadline thread ends with the load balancer. */
    private void assertNoThreadLeft() throws Exception {
        assertEquals(List.of(), LiveThreads.named("lb-server-"));
        server.lb.close();
        assertEquals(List.of(), LiveThreads.named("lb-"));
    }
}
