package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A backend that stops reading a request body cannot hold the request: the engine's writes time out too. */
class StalledUploadTest {
    private static final int MIB = 1 << 20;

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch headRead = new CountDownLatch(1);
    private ServerSocket backend;
    private Thread backendThread;
    private TestServer server;

    @BeforeEach
    void start() throws IOException {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        backendThread = new Thread(this::readHeadThenStall, "stalling-backend");
        backendThread.start();
        server = TestServer.start(LoadBalancer.builder()
                .backend("http://127.0.0.1:" + backend.getLocalPort())
                .idleTimeout(Duration.ofMillis(300))
                .responseTimeout(Duration.ofMillis(500)), ServerOptions.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.close();
        backend.close();
        backendThread.join(5_000);
    }

    /** Accepts one connection, reads the request head, then reads nothing more until the test ends. */
    private void readHeadThenStall() {
        try (Socket connection = backend.accept()) {
            InputStream in = connection.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            headRead.countDown();
            release.await();
        } catch (IOException | InterruptedException e) {
            // the test is over
        }
    }

    @Test
    void anUploadTheBackendStopsReadingEndsIn504AndLeavesFlight() throws Exception {
        try (RawClient client = server.connect()) {
            long length = 64L * MIB; // far more than the socket buffers on the way hold
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
            Thread uploader = new Thread(() -> {
                try {
                    for (long sent = 0; sent < length; sent += MIB) {
                        client.send(new byte[MIB]);
                    }
                } catch (IOException e) {
                    // the server stops reading the body once it has answered
                }
            }, "uploader");
            uploader.start();
            assertTrue(headRead.await(5, TimeUnit.SECONDS), "the backend got the request head");
            long start = System.nanoTime();

            RawClient.Response response = client.read("POST");

            assertEquals(504, response.status());
            assertEquals("gateway timeout: the backend stopped taking the request\n", response.bodyText());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "answered soon after the timeouts");
            TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the stalled upload stayed in flight");
            client.close();
            uploader.join(5_000);
        }
    }
}
