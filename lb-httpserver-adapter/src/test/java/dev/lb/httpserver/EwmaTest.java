package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** The latency of answered requests reaches the ewma strategy through the real request path. */
class EwmaTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void onceBothBackendsHaveAnsweredEwmaSendsTheRequestsToTheFasterOne() throws Exception {
        try (MockWebServer fast = TestProxy.startMockServer(); MockWebServer slow = TestProxy.startMockServer()) {
            int requests = 40;
            for (int i = 0; i < requests; i++) {
                fast.enqueue(new MockResponse.Builder().body("fast").build());
                slow.enqueue(new MockResponse.Builder().body("slow").headersDelay(500, TimeUnit.MILLISECONDS).build());
            }
            List<String> answers = new ArrayList<>();
            LoadBalancer.Builder builder = LoadBalancer.builder().strategy("ewma")
                    .backend(TestProxy.url(fast)).backend(TestProxy.url(slow));
            try (TestProxy proxy = TestProxy.start(builder)) {
                for (int i = 0; i < requests; i++) {
                    answers.add(client.send(HttpRequest.newBuilder(proxy.uri("/r" + i)).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
            }
            // Until each has answered once, the two are compared by load and both are tried; a backend left
            // untried for 20 requests in a row would take odds of 2^-20. After that only a stall of the fast
            // one (this machine may be busy) could make it look slower than the slow one's fading 500 ms: once.
            List<String> later = answers.subList(20, requests);
            assertTrue(Collections.frequency(later, "slow") <= 1, "all answers: " + answers);
        }
    }
}
