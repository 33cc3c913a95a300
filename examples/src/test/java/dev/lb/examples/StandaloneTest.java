package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lb.api.BackendState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** What each backend's health probes get; traffic always gets the backend's name. */
    private final AtomicInteger firstHealth = new AtomicInteger(200);
    private final AtomicInteger secondHealth = new AtomicInteger(200);
    private final Queue<String> firstTraffic = new ConcurrentLinkedQueue<>();
    private final Queue<String> secondTraffic = new ConcurrentLinkedQueue<>();
    private final Queue<String> secondProbes = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startBackends() throws IOException {
        first.setDispatcher(backend("first", firstHealth, firstTraffic, new ConcurrentLinkedQueue<>()));
        second.setDispatcher(backend("second", secondHealth, secondTraffic, secondProbes));
        first.start(InetAddress.getLoopbackAddress(), 0);
        second.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterEach
    void stopBackends() {
        first.close();
        second.close();
    }

    /**
     * A backend that answers the runner's health probes (told apart by their User-Agent, since by default they
     * fetch the backend's own path like any request) with {@code health}, and traffic with {@code name}, recording
     * the targets of each.
     */
    private static Dispatcher backend(String name, AtomicInteger health, Queue<String> traffic, Queue<String> probes) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if ("lb-health-check".equals(request.getHeaders().get("User-Agent"))) {
                    probes.add(request.getTarget());
                    return new MockResponse.Builder().code(health.get()).body("health").build();
                }
                traffic.add(request.getTarget());
                return new MockResponse.Builder().body(name).build();
            }
        };
    }

    private static String url(MockWebServer backend) {
        return "http://127.0.0.1:" + backend.getPort();
    }

    private Standalone.Running startWith(String strategy) throws IOException {
        return start("strategy: " + strategy + "\nbackends:\n  - " + url(first) + "\n  - " + url(second) + "\n");
    }

    private static Standalone.Running start(String yaml) throws IOException {
        return Standalone.start(RunnerConfig.parse("lb_port: \"127.0.0.1:0\"\n" + yaml, Map.of()));
    }

    private HttpResponse<String> get(Standalone.Running running, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void roundRobinAlternatesBetweenTheBackends() throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Standalone.Running running = startWith("round-robin")) {
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = get(running, "/item/" + i);
                assertEquals(200, response.statusCode());
                bodies.add(response.body());
            }
        }

        assertNotEquals(bodies.get(0), bodies.get(1), bodies::toString);
        assertEquals(List.of(bodies.get(0), bodies.get(1)), bodies.subList(2, 4));
        assertEquals(2, firstTraffic.size());
        assertEquals(2, secondTraffic.size());
        assertTrue(firstTraffic.peek().startsWith("/item/"));
    }

    @Test
    void failoverSendsEverythingToTheFirstBackend() throws Exception {
        try (Standalone.Running running = startWith("failover")) {
            for (int i = 0; i < 4; i++) {
                assertEquals("first", get(running, "/").body());
            }
        }

        assertEquals(4, firstTraffic.size());
        assertEquals(0, secondTraffic.size());
    }

    @Test
    void theRunnerProbesEachBackendsOwnUrlByDefault() throws Exception {
        // Waiting for the first round only makes the probe certain to have happened by now.
        try (Standalone.Running running = start("health_check: {wait_for_first_round: true}\nbackends:\n  - "
                + url(second) + "/app\n")) {
            assertEquals("second", get(running, "/x").body());
        }

        assertEquals("/app", secondProbes.peek());
        assertEquals(List.of("/app/x"), List.copyOf(secondTraffic));
    }

    @Test
    void healthCheckSettingsReachTheLoadBalancer() throws Exception {
        secondHealth.set(500);
        String backends = "backends:\n  - " + url(first) + "\n  - " + url(second) + "\n";
        String healthCheck = "health_check:\n  path: /health\n  wait_for_first_round: true\n";

        try (Standalone.Running running = start(healthCheck + backends)) {
            for (int i = 0; i < 4; i++) {
                assertEquals("first", get(running, "/").body(), "the backend answering 500 on /health is down");
            }
        }
        try (Standalone.Running running = start(healthCheck + "  healthy_statuses: \"200-599\"\n" + backends)) {
            Set<String> bodies = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(get(running, "/").body());
            }
            assertEquals(Set.of("first", "second"), bodies, "with 500 counted healthy both take traffic");
        }

        assertEquals("/health", secondProbes.peek());
        assertEquals(2, secondTraffic.size());
    }

    @Test
    void disabledHealthChecksSendNoProbeAndKeepEveryBackendUp() throws Exception {
        secondHealth.set(500);

        try (Standalone.Running running = start("health_check:\n  enabled: false\n  wait_for_first_round: true\n"
                + "backends:\n  - " + url(second) + "\n")) {
            assertEquals("second", get(running, "/").body());
        }

        assertEquals(List.of(), List.copyOf(secondProbes));
    }

    @Test
    void passiveSettingsReachTheLoadBalancer() throws Exception {
        // A backend that answers 500: with eject_on_5xx and one failure it is out after its first answer.
        HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        failing.start();
        List<Integer> statuses = new ArrayList<>();
        try (Standalone.Running running = start("health_check: {enabled: false}\npassive:\n"
                + "  consecutive_failures: 1\n  eject_on_5xx: true\nbackends:\n  - http://127.0.0.1:"
                + failing.getAddress().getPort() + "\n  - " + url(first) + "\n")) {
            statuses.add(get(running, "/").statusCode());
            // The ejection follows the answer: the client may be a moment ahead of it.
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (running.loadBalancer().backendStates().get(0).status() != BackendState.Status.EJECTED
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < 5; i++) {
                statuses.add(get(running, "/").statusCode());
            }
        } finally {
            failing.stop(0);
        }

        assertEquals(List.of(500, 200, 200, 200, 200, 200), statuses, "ejected after its first failure");
    }

    @Test
    void panicModeSendsRequestsToBackendsThatAreAllDown() throws Exception {
        secondHealth.set(500);
        String config = "health_check: {path: /health, wait_for_first_round: true}\nbackends:\n  - " + url(second)
                + "\n";

        try (Standalone.Running running = start(config)) {
            HttpResponse<String> refused = get(running, "/");
            assertEquals(503, refused.statusCode());
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(null), "the probe interval");
        }
        try (Standalone.Running running = start("panic_mode: true\n" + config)) {
            assertEquals("second", get(running, "/").body());
        }
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
        Standalone.Running running = startWith("failover");
        try {
            URI slow = URI.create("http://127.0.0.1:" + running.address().getPort() + "/slow");
            CompletableFuture<HttpResponse<String>> inFlight =
                    client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(slowArrived.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));

            Thread closer = new Thread(running::close, "test-closer");
            closer.start();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean refused;
            do { // until the server drains: new requests are refused while the slow one is still in flight
                refused = refused(running);
            } while (!refused && System.nanoTime() < deadline);
            assertTrue(refused, "new requests refused while draining");
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

    /** Whether a new request is refused: answered 503, or its connection refused once the server stopped listening. */
    private boolean refused(Standalone.Running running) throws Exception {
        try {
            return get(running, "/").statusCode() == 503;
        } catch (ConnectException e) {
            return true;
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
