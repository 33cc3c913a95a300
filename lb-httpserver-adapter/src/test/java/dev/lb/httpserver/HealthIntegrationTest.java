package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.api.BackendListener;
import dev.lb.api.BackendState;
import dev.lb.api.BackendState.Status;
import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Active and passive health checks and run-time membership, through the real adapter and real sockets on
 * 127.0.0.1. Probe intervals are short and real, because probes are real I/O; the tests poll for what they wait
 * for, with a deadline, and never sleep for a fixed time.
 */
class HealthIntegrationTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private final List<String> transitions = new CopyOnWriteArrayList<>();
    private final List<String> membership = new CopyOnWriteArrayList<>();
    private final BackendListener listener = new BackendListener() {
        @Override
        public void stateChanged(BackendState previous, BackendState current) {
            transitions.add(current.backend() + " " + previous.status() + "->" + current.status());
        }

        @Override
        public void added(BackendState state) {
            membership.add("added " + state.backend() + " " + state.status());
        }

        @Override
        public void removed(Backend backend) {
            membership.add("removed " + backend);
        }
    };
    private final List<SwitchableBackend> backends = new ArrayList<>();
    private LoadBalancer lb;
    private HttpServerAdapter adapter;

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.close(Duration.ofSeconds(2));
        }
        if (lb != null) {
            lb.close();
        }
        backends.forEach(SwitchableBackend::stop);
    }

    private SwitchableBackend backend(String name) throws IOException {
        SwitchableBackend backend = SwitchableBackend.start(name);
        backends.add(backend);
        return backend;
    }

    private static String closedPortUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** A builder with the test listener and, unless {@code active} is false, probes of /health every 100ms. */
    private LoadBalancer.Builder builder(boolean active, String... urls) {
        LoadBalancer.Builder builder = LoadBalancer.builder().listener(listener);
        if (active) {
            builder.healthCheck(h -> h.path("/health").interval(INTERVAL).timeout(Duration.ofSeconds(1)));
        }
        for (String url : urls) {
            builder.backend(url);
        }
        return builder;
    }

    private void serve(LoadBalancer.Builder builder) throws IOException {
        lb = builder.start();
        adapter = HttpServerAdapter.serve(lb, new InetSocketAddress("127.0.0.1", 0));
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adapter.address().getPort() + path))
                .timeout(DEADLINE).build();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path), HttpResponse.BodyHandlers.ofString());
    }

    private Status status(String url) {
        return state(url).map(BackendState::status).orElse(null);
    }

    private Optional<BackendState> state(String url) {
        Backend backend = Backend.of(url);
        return lb.backendStates().stream().filter(s -> s.backend().equals(backend)).findFirst();
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} if it does not within {@code limit}. */
    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(5);
        }
    }

    private static List<String> liveThreads(String prefix) {
        try {
            return LiveThreads.named(prefix);
        } catch (Exception e) {
            throw new AssertionError("cannot list the live threads", e);
        }
    }

    @Test
    void aKilledBackendIsMarkedDownWithinFallIntervalsAndGetsNoMoreRequests() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        serve(builder(true, a.url(), b.url()));
        for (int i = 0; i < 4; i++) {
            assertEquals(200, get("/before").statusCode());
        }
        assertEquals(2, b.traffic());

        b.stop();
        long killed = System.nanoTime();
        await("b is down", DEADLINE, () -> status(b.url()) == Status.DOWN);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);

        // fall (3) probes, each up to an interval plus 10% jitter after the previous one, and a margin for the
        // scheduler of a busy machine.
        long limitMillis = 3 * INTERVAL.toMillis() * 11 / 10 + 1_000;
        assertTrue(tookMillis <= limitMillis, "down after " + tookMillis + "ms (limit " + limitMillis + "ms)");
        assertTrue(state(b.url()).orElseThrow().lastFailure().isPresent());
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get("/after");
            statuses.add(response.statusCode());
            assertEquals("a", response.body());
        }
        assertEquals(Collections.nCopies(20, 200), statuses);
        assertEquals(2 + 20, a.traffic());
        assertEquals(List.of(b.url() + " UP->DOWN"), transitions);
    }

    @Test
    void passiveChecksEjectADeadBackendAfterTwoFailedRequests() throws Exception {
        String dead = closedPortUrl();
        SwitchableBackend live = backend("live");
        serve(builder(false, dead, live.url()).passiveHealth(p -> p.consecutiveFailures(2)));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            statuses.add(get("/").statusCode());
        }

        int failed = Collections.frequency(statuses, 502);
        assertTrue(failed <= 2, "failed requests: " + statuses);
        int lastFailure = statuses.lastIndexOf(502);
        assertEquals(Collections.nCopies(statuses.size() - lastFailure - 1, 200),
                statuses.subList(lastFailure + 1, statuses.size()), statuses::toString);
        assertEquals(12 - failed, live.traffic(), "every successful request went to the live backend");
        BackendState ejected = state(dead).orElseThrow();
        assertEquals(Status.EJECTED, ejected.status());
        assertTrue(ejected.lastFailure().isPresent() && ejected.lastFailure().get().contains("CONNECT"),
                ejected.toString());
        assertEquals(Status.UP, status(live.url()));
        assertEquals(List.of(dead + " UP->EJECTED"), transitions);
    }

    @Test
    void passiveChecksNeverEjectMoreThanTheMaximumShareOfThePool() throws Exception {
        String deadOne = closedPortUrl();
        String deadTwo = closedPortUrl();
        serve(builder(false, deadOne, deadTwo).passiveHealth(p -> p.consecutiveFailures(1)));

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(get("/").statusCode());
        }

        assertEquals(Collections.nCopies(10, 502), statuses, "one backend stays, so no 503");
        List<Status> states = lb.backendStates().stream().map(BackendState::status).toList();
        assertEquals(1, Collections.frequency(states, Status.EJECTED), states::toString);
        assertEquals(1, Collections.frequency(states, Status.UP), states::toString);
        assertEquals(1, transitions.size(), transitions::toString);
    }

    @Test
    void aBackendAnswering500OnItsHealthPathIsDown() throws Exception {
        SwitchableBackend healthy = backend("healthy");
        SwitchableBackend failing = backend("failing");
        failing.health(500);
        serve(builder(true, healthy.url(), failing.url()));

        await("the backend answering 500 is down", DEADLINE, () -> status(failing.url()) == Status.DOWN);

        assertTrue(state(failing.url()).orElseThrow().lastFailure().orElse("").contains("500"),
                state(failing.url()).toString());
        assertEquals(Status.UP, status(healthy.url()));
        for (int i = 0; i < 6; i++) {
            assertEquals("healthy", get("/").body());
        }
        assertEquals(0, failing.traffic());
    }

    @Test
    void aRecoveredBackendReturnsAfterRisePassingProbes() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        b.health(503);
        AtomicInteger passingProbesWhenUp = new AtomicInteger(-1);
        LoadBalancer.Builder builder = LoadBalancer.builder().backend(a.url()).backend(b.url())
                .healthCheck(h -> h.path("/health").interval(INTERVAL).rise(3).fall(2))
                .listener(new BackendListener() {
                    @Override
                    public void stateChanged(BackendState previous, BackendState current) {
                        if (current.status() == Status.UP) {
                            passingProbesWhenUp.set(b.passingProbes());
                        }
                        listener.stateChanged(previous, current);
                    }
                });
        serve(builder);
        await("b is down", DEADLINE, () -> status(b.url()) == Status.DOWN);
        assertEquals(0, b.passingProbes());

        b.health(200);
        // The listener hears of a change just after the status shows it: wait for the listener.
        await("b is back up", DEADLINE, () -> status(b.url()) == Status.UP && transitions.size() == 2);

        assertEquals(3, passingProbesWhenUp.get(), "up on the third passing probe, not before or after");
        assertEquals(List.of(b.url() + " UP->DOWN", b.url() + " DOWN->UP"), transitions);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bodies.add(get("/").body());
        }
        assertEquals(List.of("a", "b"), bodies.stream().distinct().sorted().toList(), "both take traffic again");
    }

    @Test
    void removeBackendLetsTheInFlightRequestFinishAndSendsNewOnesElsewhere() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        serve(builder(true, a.url(), b.url()));
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(request("/slow"),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(a.awaitSlow(), "round robin sends the first request to the first backend");

        CompletableFuture<Void> removed = lb.removeBackend(a.url());

        BackendState draining = state(a.url()).orElseThrow();
        assertEquals(Status.DRAINING, draining.status());
        assertEquals(1, draining.inFlight());
        for (int i = 0; i < 6; i++) {
            assertEquals("b", get("/new").body());
        }
        assertEquals(1, a.traffic(), "only the slow request");
        assertFalse(removed.isDone(), "removal waits for the request in flight");
        assertFalse(slow.isDone());

        a.releaseSlow();

        HttpResponse<String> finished = slow.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("a slow done", finished.body());
        removed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of(Backend.of(b.url())), lb.backends());
        assertEquals(Optional.empty(), state(a.url()));
        assertEquals(List.of(a.url() + " UP->DRAINING"), transitions);
        assertEquals(List.of("removed " + a.url()), membership);
    }

    @Test
    void removeBackendWithNothingInFlightCompletesAtOnce() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        serve(builder(true, a.url(), b.url()));

        lb.removeBackend(b.url()).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertEquals(List.of(Backend.of(a.url())), lb.backends());
        for (int i = 0; i < 4; i++) {
            assertEquals("a", get("/").body());
        }
        assertEquals(0, b.traffic());
    }

    @Test
    void addBackendWhileServingStartsSendingItRequests() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        serve(builder(true, a.url()));
        for (int i = 0; i < 3; i++) {
            assertEquals("a", get("/").body());
        }

        lb.addBackend(b.url());

        assertEquals(Status.UP, status(b.url()));
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(get("/").body());
        }
        assertEquals(3, Collections.frequency(bodies, "b"), bodies::toString);
        assertEquals(3, b.traffic());
        assertEquals(List.of("added " + b.url() + " UP"), membership);
        await("the added backend is probed too", DEADLINE, () -> b.probes() > 0);
    }

    @Test
    void withEveryBackendDownRequestsGet503AtOnceWithRetryAfterTheProbeInterval() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        a.health(500);
        b.health(500);
        serve(LoadBalancer.builder().backend(a.url()).backend(b.url())
                .healthCheck(h -> h.path("/health").interval(Duration.ofMillis(1_500)).waitForFirstRound(true)));
        assertEquals(List.of(Status.DOWN, Status.DOWN),
                lb.backendStates().stream().map(BackendState::status).toList());

        long started = System.nanoTime();
        HttpResponse<String> response = get("/");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(503, response.statusCode());
        assertEquals("2", response.headers().firstValue("Retry-After").orElse(null), "1.5s rounded up");
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertFalse(response.body().isBlank());
        assertTrue(tookMillis < 1_000, "answered after " + tookMillis + "ms");
        assertEquals(0, a.traffic() + b.traffic());
    }

    @Test
    void inPanicModeRequestsGoToBackendsThatAreAllDown() throws Exception {
        SwitchableBackend a = backend("a");
        a.health(500);
        serve(LoadBalancer.builder().backend(a.url()).panicMode(true)
                .healthCheck(h -> h.path("/health").interval(INTERVAL).waitForFirstRound(true)));
        assertEquals(Status.DOWN, status(a.url()));

        HttpResponse<String> response = get("/");

        assertEquals(200, response.statusCode());
        assertEquals("a", response.body());
        assertEquals(1, a.traffic());
    }

    @Test
    void theListenerHearsEachTransitionExactlyOnce() throws Exception {
        SwitchableBackend a = backend("a");
        SwitchableBackend b = backend("b");
        serve(builder(true, a.url(), b.url()));

        b.health(500);
        await("b is down", DEADLINE, () -> status(b.url()) == Status.DOWN);
        int probesWhenDown = b.probes();
        await("more failing probes", DEADLINE, () -> b.probes() >= probesWhenDown + 5);
        b.health(200);
        await("b is up", DEADLINE, () -> status(b.url()) == Status.UP);
        int probesWhenUp = b.probes();
        await("more passing probes", DEADLINE, () -> b.probes() >= probesWhenUp + 5);

        assertEquals(List.of(b.url() + " UP->DOWN", b.url() + " DOWN->UP"), transitions);
    }

    @Test
    void noLbThreadSurvivesClose() throws Exception {
        SwitchableBackend a = backend("a");
        String dead = closedPortUrl();
        serve(LoadBalancer.builder().backend(dead).backend(a.url())
                .healthCheck(h -> h.path("/health").interval(INTERVAL).fall(1_000))
                .passiveHealth(p -> p.consecutiveFailures(1)));
        assertEquals(200, get("/").statusCode()); // refused by the dead one, retried on a
        assertEquals(Status.EJECTED, status(dead), "its return is scheduled 30s from now");
        assertEquals(200, get("/").statusCode());
        await("a is probed", DEADLINE, () -> a.probes() > 0);
        await("timers run on lb-health-0", DEADLINE, () -> !liveThreads("lb-health-0").isEmpty());

        adapter.close(Duration.ofSeconds(2));
        lb.close();

        assertEquals(List.of(), LiveThreads.named("lb-"));
    }
}
