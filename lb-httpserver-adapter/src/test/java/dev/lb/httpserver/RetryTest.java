package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lb.core.LoadBalancer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A request that reached no backend goes to another one; a request that reached one never does. */
class RetryTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private MockWebServer live;
    private String dead;

    @BeforeEach
    void start() throws Exception {
        live = TestProxy.startMockServer();
        try (ServerSocket free = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + free.getLocalPort(); // closed again: connections are refused
        }
    }

    @AfterEach
    void stop() throws Exception {
        live.close();
    }

    private static LoadBalancer.Builder noPassiveEjection() {
        return LoadBalancer.builder().passiveHealth(p -> p.enabled(false));
    }

    @Test
    void aRefusedConnectionIsRetriedOnAnotherBackendSoNoClientSeesIt() throws Exception {
        try (TestProxy proxy = TestProxy.start(noPassiveEjection().backend(dead).backend(TestProxy.url(live)))) {
            for (int i = 0; i < 10; i++) {
                live.enqueue(new MockResponse.Builder().body("ok " + i).build());
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.uri("/r" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), "request " + i);
                assertEquals("ok " + i, response.body());
            }
        }
        assertEquals(10, live.getRequestCount());
    }

    @Test
    void aPostWhoseConnectionWasRefusedArrivesWholeAndOnceOnTheNextBackend() throws Exception {
        String body = "x".repeat(200_000);
        try (TestProxy proxy = TestProxy.start(noPassiveEjection().backend(dead).backend(TestProxy.url(live)))) {
            for (int i = 0; i < 2; i++) { // round robin: one of the two starts on the dead backend
                live.enqueue(new MockResponse.Builder().body("stored").build());
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(proxy.uri("/p"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
            }
        }
        for (int i = 0; i < 2; i++) {
            RecordedRequest received = live.takeRequest();
            assertEquals("POST", received.getMethod());
            assertEquals(body, received.getBody().utf8());
        }
        assertEquals(2, live.getRequestCount(), "each POST executed once");
    }

    @Test
    void withOneAttemptOrNoOtherBackendTheClientGets502() throws Exception {
        try (TestProxy proxy = TestProxy.start(noPassiveEjection().retries(r -> r.maxAttempts(1)).backend(dead))) {
            assertEquals(502, status(proxy));
        }
        String alsoDead;
        try (ServerSocket free = new ServerSocket(0)) {
            alsoDead = "http://127.0.0.1:" + free.getLocalPort();
        }
        try (TestProxy proxy = TestProxy.start(noPassiveEjection().backend(dead).backend(alsoDead))) {
            assertEquals(502, status(proxy), "both tried, both refused");
            assertEquals(502, status(proxy));
        }
    }

    @Test
    void aBackendThatAnsweredBadlyIsNotRetried() throws Exception {
        try (TestProxy proxy = TestProxy.start(noPassiveEjection().backend(TestProxy.url(live)).backend(dead))) {
            live.enqueue(new MockResponse.Builder().code(500).body("broken").build());
            assertEquals(500, status(proxy), "a 500 is an answer, passed on");
        }
        assertEquals(1, live.getRequestCount());
    }

    private int status(TestProxy proxy) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.uri("/s")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
