package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lb.core.LoadBalancer;
import dev.lb.core.RateLimitSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rate limiting through the real adapter: a client over its limit gets a 429 with Retry-After and the RateLimit
 * fields, and its request never reaches the backend. Time is the test's clock; nothing sleeps.
 */
class RateLimitTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private MockWebServer backend;

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestProxy.startMockServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("from the backend").build();
            }
        });
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    private TestProxy proxy(UnaryOperator<RateLimitSpec> limits) throws Exception {
        return TestProxy.start(LoadBalancer.builder().backend(TestProxy.url(backend))
                .rateLimit(r -> limits.apply(r.clock(clock::get))));
    }

    @Test
    void aClientOverItsLimitGets429AndItsRequestNeverReachesTheBackend() throws Exception {
        try (TestProxy proxy = proxy(r -> r.perClient(1, 2)); RawConnection client = proxy.connect()) {
            assertEquals(200, get(proxy, client, "/1").status());
            assertEquals(200, get(proxy, client, "/2").status());

            RawConnection.RawResponse limited = get(proxy, client, "/3");

            assertEquals(429, limited.status()); // HttpServer knows no reason phrase for 429 and sends none
            assertEquals("1", limited.header("Retry-After"));
            assertEquals("\"default\";q=2;w=2", limited.header("RateLimit-Policy"));
            assertEquals("\"default\";r=0;t=1", limited.header("RateLimit"));
            assertEquals("text/plain; charset=utf-8", limited.header("Content-Type"));
            assertEquals("too many requests\n", limited.bodyText());
            assertEquals(List.of("/1", "/2"), List.of(backend.takeRequest().getTarget(),
                    backend.takeRequest().getTarget()));
            assertEquals(2, backend.getRequestCount(), "the limited request was not forwarded");

            clock.addAndGet(SECOND);
            assertEquals(200, get(proxy, client, "/4").status(), "a token is back after a second");
            assertEquals("/4", backend.takeRequest().getTarget());
        }
    }

    @Test
    void aSpoofedXForwardedForFromAnUntrustedPeerDoesNotChangeTheKey() throws Exception {
        // Loopback, where this test's client connects from, is not a trusted proxy.
        try (TestProxy proxy = proxy(r -> r.perClient(1, 1).trustedProxies("10.0.0.0/8"));
             RawConnection client = proxy.connect()) {
            assertEquals(200, get(proxy, client, "/", "X-Forwarded-For: 198.51.100.1").status());
            assertEquals(429, get(proxy, client, "/", "X-Forwarded-For: 198.51.100.2").status());
            assertEquals(429, get(proxy, client, "/", "Forwarded: for=198.51.100.3").status());
            assertEquals(1, backend.getRequestCount());
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBucket() throws Exception {
        try (TestProxy proxy = proxy(r -> r.perClient(1, 1).trustedProxies("127.0.0.1"));
             RawConnection client = proxy.connect()) {
            assertEquals(200, get(proxy, client, "/", "X-Forwarded-For: 6.6.6.6, 198.51.100.1").status());
            assertEquals(200, get(proxy, client, "/", "X-Forwarded-For: 6.6.6.6, 198.51.100.2").status());
            assertEquals(429, get(proxy, client, "/", "X-Forwarded-For: 7.7.7.7, 198.51.100.1").status(),
                    "the forged left-most entry does not matter");
            assertEquals(429, get(proxy, client, "/", "X-Forwarded-For: 198.51.100.9",
                    "X-Forwarded-For: 198.51.100.2").status(), "the last header line is the proxy's");
            assertEquals(200, get(proxy, client, "/").status(), "the proxy's own requests: its own bucket");
            assertEquals("6.6.6.6, 198.51.100.1, 127.0.0.1",
                    backend.takeRequest().getHeaders().get("X-Forwarded-For"));
        }
    }

    private static RawConnection.RawResponse get(TestProxy proxy, RawConnection client, String target,
                                                 String... headerLines) throws Exception {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + proxy.authority()
                + "\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        client.send(request.append("\r\n").toString());
        return client.read("GET");
    }
}
