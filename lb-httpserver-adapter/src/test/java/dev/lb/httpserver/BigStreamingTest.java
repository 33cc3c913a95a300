package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private static Process proxy;
    private static URI proxyUri;

    @BeforeAll
    static void start() throws Exception {
        backend = new StreamingBackend();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire may put only a manifest-only booter jar on java.class.path; this property holds the real one.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        proxy = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", classPath, ProxyMain.class.getName(), backend.url()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            throw new AssertionError("the proxy JVM did not start: " + line);
        }
        proxyUri = URI.create("http://127.0.0.1:" + line.substring("PORT ".length()) + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.getOutputStream().close();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aGibibyteUploadStreamsThroughAProxyWith64MibOfHeap() throws Exception {
        timed("upload", () -> new StreamingClient(backend, proxyUri).assertUploadArrivesIntact(SIZE, true));
        assertTrue(proxy.isAlive(), "the proxy JVM died");
    }

    @Test
    void aGibibyteChunkedDownloadStreamsThroughAProxyWith64MibOfHeap() throws Exception {
        timed("download", () -> new StreamingClient(backend, proxyUri).assertDownloadArrivesIntact(SIZE, false));
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
