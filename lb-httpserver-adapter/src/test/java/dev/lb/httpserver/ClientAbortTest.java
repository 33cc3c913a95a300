package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lb.api.spi.Candidate;
import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that goes away in the middle of a body costs the proxy nothing lasting: the backend connection is
 * closed (the backend sees its transfer fail rather than run to the end), the in-flight counts drop back to zero,
 * the next request is served, and after close no thread or file descriptor is left.
 */
class ClientAbortTest {
    private static final long HUGE = 1L << 30;
    private static final int PART = 1 << 20;

    private final CountDownLatch backendTransferFailed = new CountDownLatch(1);
    private final CountDownLatch uploadReachedBackend = new CountDownLatch(1);
    private final AtomicBoolean backendTransferCompleted = new AtomicBoolean();
    private final AtomicReference<Candidate> candidate = new AtomicReference<>();
    private ExecutorService backendThreads;
    private HttpServer backend;
    private TestProxy proxy;

    @RegisterExtension
    final Leaks leaks = new Leaks();

    @BeforeEach
    void start() throws Exception {
        backendThreads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "test-abort-backend");
            thread.setDaemon(true);
            return thread;
        });
        leaks.track(backendThreads::shutdownNow);
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.setExecutor(backendThreads);
        backend.createContext("/download", this::download);
        backend.createContext("/upload", this::upload);
        backend.createContext("/small", exchange -> {
            try (exchange) {
                byte[] body = "small".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        backend.start();
        leaks.track(() -> backend.stop(0));
        proxy = leaks.track(TestProxy.start(LoadBalancer.builder()
                .backend("http://127.0.0.1:" + backend.getAddress().getPort())
                .strategy((candidates, request) -> {
                    candidate.set(candidates.get(0));
                    return candidates.get(0).acquire();
                })));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed", "chunked"})
    void aClientLeavingMidDownloadReleasesTheBackendConnection(String framing) throws Exception {
        try (RawConnection client = proxy.connect()) {
            client.send("GET /download?framing=" + framing + " HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            RawConnection.RawResponse head = client.readHead();
            assertEquals(200, head.status());
            assertEquals(PART, client.input().readNBytes(PART).length);
        }

        assertTrue(backendTransferFailed.await(10, TimeUnit.SECONDS), "the backend kept sending");
        assertFalse(backendTransferCompleted.get());
        assertTheProxyRecovered();
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed", "chunked"})
    void aClientLeavingMidUploadReleasesTheBackendConnection(String framing) throws Exception {
        try (RawConnection client = proxy.connect()) {
            String framingHeader = framing.equals("fixed") ? "Content-Length: " + HUGE : "Transfer-Encoding: chunked";
            client.send("POST /upload HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n" + framingHeader + "\r\n\r\n");
            byte[] part = new PatternStream(PART, 7).readAllBytes();
            if (framing.equals("fixed")) {
                client.send(part);
            } else {
                client.send(Integer.toHexString(part.length) + "\r\n");
                client.send(part);
                client.send("\r\n");
            }
            assertTrue(uploadReachedBackend.await(10, TimeUnit.SECONDS), "the upload never reached the backend");
        }

        assertTrue(backendTransferFailed.await(10, TimeUnit.SECONDS), "the backend kept waiting for the body");
        assertFalse(backendTransferCompleted.get());
        assertTheProxyRecovered();
    }

    private void assertTheProxyRecovered() throws Exception {
        awaitTrue(() -> candidate.get().inFlight() == 0, "the aborted request's lease was not released");
        awaitTrue(() -> proxy.lb().inFlight() == 0, "the aborted request still counts as in flight");
        assertEquals(List.of(0), proxy.backendsInFlight());
        try (RawConnection client = proxy.connect()) {
            client.send("GET /small HTTP/1.1\r\nHost: " + proxy.authority() + "\r\n\r\n");
            assertEquals("small", client.read("GET").bodyText());
        }
        awaitTrue(() -> candidate.get().inFlight() == 0, "the follow-up request's lease was not released");
    }

    /** Polls a condition that real I/O will make true, for at most 5 seconds. */
    private static void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Sends up to {@link #HUGE} bytes; records whether the transfer failed or, wrongly, ran to the end. */
    private void download(HttpExchange exchange) throws IOException {
        boolean fixed = exchange.getRequestURI().getQuery().contains("fixed");
        try {
            exchange.sendResponseHeaders(200, fixed ? HUGE : 0);
            OutputStream out = exchange.getResponseBody();
            try (InputStream data = new PatternStream(HUGE, 3)) {
                data.transferTo(out);
            }
            backendTransferCompleted.set(true);
            exchange.close();
        } catch (IOException e) {
            backendTransferFailed.countDown();
            throw e;
        }
    }

    /** Reads the whole body; records whether the read failed or, wrongly, ran to the end. */
    private void upload(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                received += read;
                if (received >= PART / 2) {
                    uploadReachedBackend.countDown();
                }
            }
            backendTransferCompleted.set(true);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        } catch (IOException e) {
            backendTransferFailed.countDown();
            throw e;
        }
    }
}
