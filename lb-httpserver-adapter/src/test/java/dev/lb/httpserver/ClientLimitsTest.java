package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits on what clients send, which the adapter sets as the JDK server's defaults: request headers up to 64 KiB,
 * and the whole request (headers and body) within {@code sun.net.httpserver.maxReqTime} seconds. The JDK server
 * reads both once per JVM, so the proxy runs in a JVM of its own, here with a one-second request time.
 */
class ClientLimitsTest {
    private static MockWebServer backend;
    private static ChildProxy proxy;

    @BeforeAll
    static void start() throws IOException {
        backend = TestProxy.startMockServer();
        proxy = ChildProxy.start(TestProxy.url(backend), "-Dsun.net.httpserver.maxReqTime=1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static RawConnection connect() throws IOException {
        return RawConnection.open(new InetSocketAddress("127.0.0.1", proxy.port()));
    }

    /** The proxy closes (or resets) the connection without answering; a read timeout fails the test. */
    private static void assertDisconnectedWithoutAnswer(RawConnection connection) throws IOException {
        try {
            assertEquals(-1, connection.input().read(), "no answer expected");
        } catch (SocketException reset) {
            // as good as a close
        }
    }

    @Test
    void aClientSendingItsHeadersTooSlowlyIsDisconnected() throws Exception {
        int before = backend.getRequestCount();
        try (RawConnection connection = connect()) {
            connection.send("GET /slowloris HTTP/1.1\r\nHost: lb\r\n"); // and never the blank line
            assertDisconnectedWithoutAnswer(connection);
        }
        assertEquals(before, backend.getRequestCount(), "nothing reached the backend");
    }

    @Test
    void aClientStallingMidBodyIsDisconnectedAndTheBackendNeverGetsTheWholeBody() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("stored").build());
        try (RawConnection connection = connect()) {
            connection.send("POST /upload HTTP/1.1\r\nHost: lb\r\nContent-Length: 100\r\n\r\n0123456789");
            assertDisconnectedWithoutAnswer(connection);
        }
        RecordedRequest received = backend.takeRequest(2, TimeUnit.SECONDS);
        if (received != null) { // the upload started streaming to the backend, then was cut
            assertNotEquals(100L, received.getBodySize(), "the backend must not see a complete body");
        }
    }

    @Test
    void headersUpTo64KibPassAndLargerOnesAreRefused() throws Exception {
        backend.enqueue(new MockResponse.Builder().body("ok").build());
        int before = backend.getRequestCount();
        try (RawConnection connection = connect()) {
            connection.send("GET /big HTTP/1.1\r\nHost: lb\r\nX-Big: " + "a".repeat(32 * 1024) + "\r\n\r\n");
            assertEquals(200, connection.read("GET").status());
        }
        try (RawConnection connection = connect()) {
            connection.send("GET /huge HTTP/1.1\r\nHost: lb\r\nX-Huge: " + "a".repeat(100 * 1024) + "\r\n\r\n");
            assertDisconnectedWithoutAnswer(connection);
        }
        assertEquals(before + 1, backend.getRequestCount(), "only the 32 KiB request reached the backend");
        assertTrue(proxy.isAlive());
    }
}
