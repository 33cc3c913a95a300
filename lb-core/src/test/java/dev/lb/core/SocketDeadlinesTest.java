package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reads and writes timed by the watchdog over a real loopback connection. */
class SocketDeadlinesTest {
    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    private final SocketDeadlines deadlines = new SocketDeadlines("lb-test-deadlines");
    private ServerSocket listener;
    private Socket client;
    private Socket peer;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(listener.getInetAddress(), listener.getLocalPort());
        peer = listener.accept();
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
        listener.close();
        deadlines.close();
    }

    @Test
    void aReadThatGetsItsBytesInTimeReturnsThemAndTheConnectionStaysUsable() throws IOException {
        SocketDeadlines.Watch watch = deadlines.watch(client);
        InputStream in = client.getInputStream();
        byte[] buffer = new byte[16];

        peer.getOutputStream().write("first".getBytes(StandardCharsets.US_ASCII));
        int read = watch.read(in, buffer, 0, buffer.length, System.nanoTime() + LONG);
        assertEquals("first", new String(buffer, 0, read, StandardCharsets.US_ASCII));

        peer.getOutputStream().write("second".getBytes(StandardCharsets.US_ASCII));
        read = watch.read(in, buffer, 0, buffer.length, System.nanoTime() + LONG);
        assertEquals("second", new String(buffer, 0, read, StandardCharsets.US_ASCII));
        watch.close();
    }

    @Test
    void aReadStillWaitingAtItsDeadlineFailsAndTheSocketCanStillAnswer() throws IOException {
        SocketDeadlines.Watch watch = deadlines.watch(client);
        long start = System.nanoTime();

        assertThrows(SocketTimeoutException.class, () -> watch.read(client.getInputStream(), new byte[16], 0, 16,
                start + TimeUnit.MILLISECONDS.toNanos(100)));

        long waited = System.nanoTime() - start;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(100), "not before the deadline: " + waited);
        assertTrue(waited < TimeUnit.SECONDS.toNanos(5), "soon after the deadline: " + waited);
        assertFalse(client.isClosed(), "only the input is shut");
        client.getOutputStream().write("408".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = peer.getInputStream().readNBytes(3);
        assertArrayEquals("408".getBytes(StandardCharsets.US_ASCII), answer);
        watch.close();
    }

    @Test
    void aDeadlineAlreadyPassedFailsWithoutReading() throws IOException {
        SocketDeadlines.Watch watch = deadlines.watch(client);
        peer.getOutputStream().write('x');

        assertThrows(SocketTimeoutException.class, () -> watch.read(client.getInputStream(), new byte[1], 0, 1,
                System.nanoTime() - 1));

        assertEquals('x', client.getInputStream().read(), "the byte is still there");
        watch.close();
    }

    @Test
    void aShortDeadlineSetWhileTheWatchdogSleepsOnALongOneStillFiresOnTime() throws IOException {
        SocketDeadlines.Watch sleeper = deadlines.watch(peer);
        Thread longRead = new Thread(() -> {
            try {
                sleeper.read(peer.getInputStream(), new byte[1], 0, 1, System.nanoTime() + LONG);
            } catch (IOException e) {
                // ends when the test closes the sockets
            }
        });
        longRead.start();
        SocketDeadlines.Watch watch = deadlines.watch(client);
        long start = System.nanoTime();

        assertThrows(SocketTimeoutException.class, () -> watch.read(client.getInputStream(), new byte[1], 0, 1,
                start + TimeUnit.MILLISECONDS.toNanos(50)));

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "did not wait for the long deadline");
        watch.close();
        sleeper.close();
    }

    @Test
    void aWriteThePeerDoesNotTakeFailsAndClosesTheSocket() throws IOException {
        SocketDeadlines.Watch watch = deadlines.watch(client);
        byte[] chunk = new byte[1 << 20];
        long start = System.nanoTime();

        assertThrows(SocketTimeoutException.class, () -> {
            // the peer reads nothing: the socket buffers fill within a few megabytes, then a write waits
            for (int i = 0; i < 1024; i++) {
                watch.write(client.getOutputStream(), chunk, 0, chunk.length,
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            }
        });

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "soon after the deadline");
        assertTrue(client.isClosed());
        watch.close();
    }

    @Test
    void closingEndsTheWatchdogOnceTheLastWatchIsClosed() throws Exception {
        SocketDeadlines.Watch watch = deadlines.watch(client);
        deadlines.close();
        assertEquals(1, watchdogs().size(), "still watching an open connection");

        watch.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!watchdogs().isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertEquals(List.of(), watchdogs());
    }

    private static List<Thread> watchdogs() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("lb-test-deadlines")).toList();
    }
}
