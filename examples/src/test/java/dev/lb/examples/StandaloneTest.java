package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private final MockWebServer first = new MockWebServer();
    private final MockWebServer second = new MockWebServer();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path workingDir;

    @BeforeEach
    void startBackends() throws IOException {
        first.start(InetAddress.getLoopbackAddress(), 0);
        second.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stopBackends() {
        first.close();
        second.close();
    }

    private static String url(MockWebServer backend) {
        return "http://127.0.0.1:" + backend.getPort();
    }

    private Standalone.Running start(String strategy) throws IOException {
        return Standalone.start(RunnerConfig.parse("lb_port: \"127.0.0.1:0\"\nstrategy: " + strategy
                + "\nbackends:\n  - " + url(first) + "\n  - " + url(second) + "\n", Map.of()));
    }

    private HttpResponse<String> get(Standalone.Running running, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void enqueue(MockWebServer backend, String body, int times) {
        for (int i = 0; i < times; i++) {
            backend.enqueue(new MockResponse.Builder().body(body).build());
        }
    }

    @Test
    void roundRobinAlternatesBetweenTheBackends() throws Exception {
        enqueue(first, "first", 2);
        enqueue(second, "second", 2);

        List<String> bodies = new ArrayList<>();
        try (Standalone.Running running = start("round-robin")) {
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = get(running, "/item/" + i);
                assertEquals(200, response.statusCode());
                bodies.add(response.body());
            }
        }

        assertNotEquals(bodies.get(0), bodies.get(1), bodies::toString);
        assertEquals(List.of(bodies.get(0), bodies.get(1)), bodies.subList(2, 4));
        assertEquals(2, first.getRequestCount());
        assertEquals(2, second.getRequestCount());
        assertTrue(first.takeRequest().getTarget().startsWith("/item/"));
    }

    @Test
    void failoverSendsEverythingToTheFirstBackend() throws Exception {
        enqueue(first, "first", 4);

        try (Standalone.Running running = start("failover")) {
            for (int i = 0; i < 4; i++) {
                assertEquals("first", get(running, "/").body());
            }
        }

        assertEquals(4, first.getRequestCount());
        assertEquals(0, second.getRequestCount());
    }

    @Test
    void demoAnswersFromBothDemoBackends() throws Exception {
        Set<String> bodies = new HashSet<>();
        try (Standalone.Running running = Standalone.startDemo(Map.of("LB_PORT", "127.0.0.1:0"))) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = get(running, "/");
                assertEquals(200, response.statusCode());
                bodies.add(response.body());
            }
        }

        assertEquals(Set.of("hello from demo backend 1\n", "hello from demo backend 2\n"), bodies);
    }

    @Test
    void closeLetsInFlightRequestsFinish() throws Exception {
        CountDownLatch slowArrived = new CountDownLatch(1);
        CountDownLatch releaseSlow = new CountDownLatch(1);
        Dispatcher slowOrFast = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getTarget().equals("/slow")) {
                    slowArrived.countDown();
                    releaseSlow.await();
                    return new MockResponse.Builder().body("finished").build();
                }
                return new MockResponse.Builder().body("fast").build();
            }
        };
        first.setDispatcher(slowOrFast);
        Standalone.Running running = start("failover");
        try {
            URI slow = URI.create("http://127.0.0.1:" + running.address().getPort() + "/slow");
            CompletableFuture<HttpResponse<String>> inFlight =
                    client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(slowArrived.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));

            Thread closer = new Thread(running::close, "test-closer");
            closer.start();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            int status;
            do { // until the server drains: new requests are refused while the slow one is still in flight
                status = get(running, "/").statusCode();
            } while (status != 503 && System.nanoTime() < deadline);
            assertEquals(503, status);
            assertFalse(inFlight.isDone());

            releaseSlow.countDown();
            HttpResponse<String> response = inFlight.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("finished", response.body());
            closer.join(DEADLINE.toMillis());
            assertFalse(closer.isAlive());
        } finally {
            releaseSlow.countDown();
            running.close();
        }
    }

    private int run(Map<String, String> env, String... args) {
        return Standalone.run(args, env, workingDir, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errorLine() {
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines::toString);
        return lines.get(0);
    }

    @Test
    void invalidConfigYamlExitsWithTwoAndOneLine() throws IOException {
        Files.writeString(workingDir.resolve("config.yaml"), "backends:\n  - {url: \"http://a\", weight: 0}\n");

        assertEquals(2, run(Map.of()));
        assertEquals("config error: config.yaml: backend weight: 0 for http://a (expected: >= 1)", errorLine());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void yamlSyntaxErrorExitsWithTwoAndOneLine() throws IOException {
        Files.writeString(workingDir.resolve("lb.yaml"), "lb_port: [\n");

        assertEquals(2, run(Map.of(), "--config", "lb.yaml"));
        assertTrue(errorLine().startsWith("config error: lb.yaml: YAML syntax error at line 2"));
    }

    @Test
    void missingConfigFileExitsWithTwo() {
        assertEquals(2, run(Map.of(), "--config=missing.yaml"));
        assertEquals("config error: missing.yaml: file not found", errorLine());
    }

    @Test
    void configOptionComesFirstThenConfigYamlThenBackendsThenDemo() throws IOException {
        Files.writeString(workingDir.resolve("config.yaml"), "backends: []\n");
        Files.writeString(workingDir.resolve("other.yaml"), "strategy: nope\n");
        Map<String, String> env = Map.of("BACKENDS", "ftp://x", "LB_PORT", "none");

        assertEquals(2, run(env, "--config", "other.yaml"));
        assertTrue(errorLine().startsWith("config error: other.yaml: "));
        err.reset();
        assertEquals(2, run(env));
        assertTrue(errorLine().startsWith("config error: config.yaml: "));
        err.reset();
        Files.delete(workingDir.resolve("config.yaml"));
        assertEquals(2, run(env));
        assertTrue(errorLine().startsWith("config error: BACKENDS: "));
        err.reset();
        assertEquals(2, run(Map.of("LB_PORT", "none")));
        assertTrue(errorLine().startsWith("config error: demo: LB_PORT: \"none\""));
    }

    @Test
    void unknownArgumentExitsWithTwoAndOneLine() {
        assertEquals(2, run(Map.of(), "--verbose"));
        assertEquals("unknown argument: --verbose (usage: java -jar lb-standalone.jar [--config FILE], or --help)",
                errorLine());
        err.reset();
        assertEquals(2, run(Map.of(), "--config"));
        assertTrue(errorLine().startsWith("missing FILE after --config"));
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: java -jar lb-standalone.jar"));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }
}
