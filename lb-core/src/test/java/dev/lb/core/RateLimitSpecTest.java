package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.ratelimit.TokenBucketLimiter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The builder's rate-limit settings and the 429 the load balancer answers; the backend is never reached here. */
class RateLimitSpecTest {
    private static final long SECOND = 1_000_000_000L;
    /** Nothing listens there: a request that got past the limiter would fail with 502, not 429. */
    private static final String NO_BACKEND = "http://127.0.0.1:1";

    private final AtomicLong clock = new AtomicLong();

    @Test
    void withoutRateLimitEveryRequestGoesOn() throws Exception {
        try (LoadBalancer lb = LoadBalancer.builder().backend(NO_BACKEND).start()) {
            assertEquals(Optional.empty(), lb.rateLimitStats());
        }
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterAndTheRateLimitFields() throws Exception {
        try (LoadBalancer lb = LoadBalancer.builder().backend(NO_BACKEND)
                .rateLimit(r -> r.perClient(10, 20).clock(clock::get)).start()) {
            drain(lb, "203.0.113.7");
            FakeExchange rejected = new FakeExchange("GET", "203.0.113.7");
            lb.handle(rejected);

            assertEquals(429, rejected.status);
            assertEquals(Map.of(
                    "Content-Type", List.of("text/plain; charset=utf-8"),
                    "Retry-After", List.of("1"),
                    "RateLimit-Policy", List.of("\"default\";q=20;w=2"),
                    "RateLimit", List.of("\"default\";r=0;t=1")), rejected.headers);
            assertEquals("too many requests\n", rejected.body());
            assertEquals(new TokenBucketLimiter.Stats(1, 0, 0, 2), lb.rateLimitStats().orElseThrow());
        }
    }

    @Test
    void retryAfterIsRoundedUpToWholeSecondsAndNeverZero() throws Exception {
        try (LoadBalancer lb = LoadBalancer.builder().backend(NO_BACKEND)
                .rateLimit(r -> r.perClient(0.4, 1).clock(clock::get)).start()) {
            drain(lb, "203.0.113.7"); // the next token in 2.5 s
            assertEquals(List.of("3"), rejectedAt(lb, 0).headers.get("Retry-After"));
            assertEquals(List.of("\"default\";r=0;t=3"), rejectedAt(lb, 0).headers.get("RateLimit"));
            assertEquals(List.of("\"default\";q=1;w=3"), rejectedAt(lb, 0).headers.get("RateLimit-Policy"));
            assertEquals(List.of("1"), rejectedAt(lb, 2_500_000_000L - 1).headers.get("Retry-After"),
                    "one nanosecond to wait is one second");
        }
    }

    @Test
    void aRejectedHeadRequestGetsTheHeadersWithoutABody() throws Exception {
        try (LoadBalancer lb = LoadBalancer.builder().backend(NO_BACKEND)
                .rateLimit(r -> r.perClient(1, 1).clock(clock::get)).start()) {
            drain(lb, "203.0.113.7");
            FakeExchange head = new FakeExchange("HEAD", "203.0.113.7");
            lb.handle(head);

            assertEquals(429, head.status);
            assertEquals(List.of("1"), head.headers.get("Retry-After"));
            assertEquals("", head.body());
        }
    }

    private FakeExchange rejectedAt(LoadBalancer lb, long nanos) throws Exception {
        clock.set(nanos);
        FakeExchange exchange = new FakeExchange("GET", "203.0.113.7");
        lb.handle(exchange);
        assertEquals(429, exchange.status);
        return exchange;
    }

    /** Sends requests until one is limited; those let through fail on the missing backend. */
    private static void drain(LoadBalancer lb, String client) throws Exception {
        for (int i = 0; i < 1_000; i++) {
            FakeExchange exchange = new FakeExchange("GET", client);
            lb.handle(exchange);
            if (exchange.status == 429) {
                return;
            }
            assertEquals(502, exchange.status, "admitted, and the backend is not there");
        }
        throw new AssertionError("never limited");
    }

    @Test
    void badSettingsNameTheFieldAndTheValue() {
        assertFailure("rate: 0.0 (expected: > 0)", r -> r.perClient(0, 20));
        assertFailure("rate: NaN (expected: > 0)", r -> r.perClient(Double.NaN, 20));
        assertFailure("burst: 0 (expected: >= 1)", r -> r.perClient(10, 0));
        assertFailure("maxClients: 0 (expected: >= 1)", r -> r.perClient(10, 20).maxClients(0));
        assertFailure("ipv6Prefix: 129 (expected: from 1 to 128)", r -> r.perClient(10, 20).ipv6Prefix(129));
        assertFailure("trustedProxies: \"10.0.0.0/33\" (expected: a prefix length from 0 to 32 for IPv4)",
                r -> r.perClient(10, 20).trustedProxies("10.0.0.0/8", "10.0.0.0/33"));
        assertFailure("forwardedHeader: \"Via\" (expected: X-Forwarded-For or Forwarded)",
                r -> r.forwardedHeader("Via"));
        assertFailure("rateLimit perClient: none (expected: perClient(rate, burst) inside rateLimit(...))",
                r -> r.trustedProxies("10.0.0.0/8"));
    }

    @Test
    void aValidSpecStartsAndEachStartGetsFreshBuckets() throws Exception {
        LoadBalancer.Builder builder = LoadBalancer.builder().backend(NO_BACKEND)
                .rateLimit(r -> r.perClient(0.5, 1).trustedProxies("10.0.0.0/8", "fd00::/8").maxClients(10)
                        .ipv6Prefix(56).forwardedHeader("Forwarded").key(request -> Optional.empty())
                        .clock(clock::get));
        for (int i = 0; i < 2; i++) {
            try (LoadBalancer lb = builder.start()) {
                drain(lb, "203.0.113.7");
                assertEquals(1, lb.rateLimitStats().orElseThrow().trackedKeys());
            }
        }
    }

    private static void assertFailure(String message, Consumer<RateLimitSpec> spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadBalancer.builder().rateLimit(spec));
        assertEquals(message, e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1);
    }

    /** An exchange from {@code client} without a body that records the response. */
    private static final class FakeExchange implements Exchange {
        private final String method;
        private final String client;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status;
        Map<String, List<String>> headers;

        FakeExchange(String method, String client) {
            this.method = method;
            this.client = client;
        }

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String target() {
            return "/";
        }

        @Override
        public Optional<String> header(String name) {
            return Optional.empty();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress(client, 50_000);
        }

        @Override
        public Map<String, List<String>> requestHeaders() {
            return Map.of();
        }

        @Override
        public InputStream requestBody() {
            return InputStream.nullInputStream();
        }

        @Override
        public boolean secure() {
            return false;
        }

        @Override
        public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) {
            this.status = status;
            this.headers = Map.copyOf(headers);
            return body;
        }
    }
}
