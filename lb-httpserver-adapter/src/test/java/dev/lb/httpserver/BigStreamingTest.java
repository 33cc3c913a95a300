package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * 1 GiB uploaded and 1 GiB downloaded through a proxy running in its own JVM with {@code -Xmx64m}: the bodies
 * arrive byte-identical (SHA-256 compared) and the proxy survives, which it could not if it held a body whole.
 * The test JVM generates and hashes the data as a stream too ({@link PatternStream}).
 *
 * <p>Too slow for the default suite; run it with
 * <pre>
 * mvn -B -pl lb-httpserver-adapter verify -Dlb.bigStreaming=true
 * </pre>
 * (add {@code -Dtest=BigStreamingTest} to run only this class). Surefire passes {@code -D} properties given to Maven
 * on to the test JVM.
 */
@EnabledIfSystemProperty(named = "lb.bigStreaming", matches = "true")
class BigStreamingTest {
    private static final long SIZE = 1L << 30;

    private static StreamingBackend backend;
    private static ChildProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        backend = new StreamingBackend();
        proxy = ChildProxy.start(backend.url(), "-Xmx64m", "-XX:+ExitOnOutOfMemoryError");
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

    @Test
    void aGibibyteUploadStreamsThroughAProxyWith64MibOfHeap() throws Exception {
        timed("upload", () -> new StreamingClient(backend, proxy.uri("/")).assertUploadArrivesIntact(SIZE, true));
        assertTrue(proxy.isAlive(), "the proxy JVM died");
    }

    @Test
    void aGibibyteChunkedDownloadStreamsThroughAProxyWith64MibOfHeap() throws Exception {
        timed("download", () -> new StreamingClient(backend, proxy.uri("/")).assertDownloadArrivesIntact(SIZE, false));
        assertTrue(proxy.isAlive(), "the proxy JVM died");
    }

    private interface Transfer {
        void run() throws Exception;
    }

    private static void timed(String what, Transfer transfer) throws Exception {
        long started = System.nanoTime();
        transfer.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("BigStreamingTest: 1 GiB %s in %.1f s (%.0f MiB/s) on Java %s%n", what, seconds,
                1024 / seconds, System.getProperty("java.version"));
    }
}
