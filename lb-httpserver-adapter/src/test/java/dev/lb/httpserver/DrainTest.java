package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Graceful shutdown of a served load balancer, and that it leaves no {@code lb-} thread behind. */
class DrainTest {
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final HttpClient client = HttpClient.newHttpClient();
    private final ExecutorService testThreads = Executors.newCachedThreadPool();
    private HttpServer backend;
    private LoadBalancer lb;
    private HttpServerAdapter adapter;

    @BeforeEach
    void start() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.setExecutor(testThreads);
        backend.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/slow")) {
                slowArrived.countDown();
                awaitQuietly(releaseSlow);
            }
            byte[] body = ("done " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
        lb = LoadBalancer.builder().backend("http://127.0.0.1:" + backend.getAddress().getPort()).start();
        adapter = HttpServerAdapter.serve(lb, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        releaseSlow.countDown();
        adapter.close(Duration.ZERO);
        lb.close();
        backend.stop(0);
        testThreads.shutdownNow();
    }

    @Test
    void closeLetsInFlightRequestsFinishAndRefusesNewOnes() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(get("/slow"),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(slowArrived.await(10, TimeUnit.SECONDS), "the slow request reached the backend");
        assertFalse(LiveThreads.named("lb-http-").isEmpty(), "the request runs on an lb-http- thread");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> adapter.close(Duration.ofSeconds(30)),
                testThreads);
        HttpResponse<String> refused = firstRefusal();

        assertEquals(503, refused.statusCode());
        assertEquals("shutting down\n", refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        assertFalse(closing.isDone(), "close waits for the request in flight");

        releaseSlow.countDown();
        HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("done /slow", finished.body());
        closing.get(10, TimeUnit.SECONDS);
        assertNoThreadLeft();
    }

    @Test
    void closeCutsRequestsThatOutliveTheGracePeriod() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(get("/slow"),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(slowArrived.await(10, TimeUnit.SECONDS));

        adapter.close(Duration.ofMillis(200));

        ExecutionException cut = assertThrows(ExecutionException.class, () -> slow.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, cut.getCause());
        assertNoThreadLeft();
    }

    @Test
    void closeWithNothingInFlightReturnsAtOnceAndStopsListening() throws Exception {
        assertEquals(200, client.send(get("/fast"), HttpResponse.BodyHandlers.ofString()).statusCode());

        CompletableFuture.runAsync(() -> adapter.close(Duration.ofMinutes(10)), testThreads).get(10, TimeUnit.SECONDS);

        assertThrows(IOException.class, () -> client.send(get("/fast"), HttpResponse.BodyHandlers.ofString()));
        assertNoThreadLeft();
    }

    /** Sends fast requests until the adapter has begun draining and refuses one. */
    private HttpResponse<String> firstRefusal() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = client.send(get("/fast"), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return response;
            }
        }
        throw new AssertionError("the adapter never started refusing requests");
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adapter.address().getPort() + path)).build();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The adapter's threads end with it; the load balancer's read-deadline thread ends with the load balancer. */
    private void assertNoThreadLeft() throws Exception {
        assertEquals(List.of(), LiveThreads.named("lb-http-"));
        lb.close();
        assertEquals(List.of(), LiveThreads.named("lb-"));
    }
}
