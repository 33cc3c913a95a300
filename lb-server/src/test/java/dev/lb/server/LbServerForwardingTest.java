package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.LoadBalancer;
import java.io.InputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests cross LbServer to a backend and back unchanged, over kept-alive, pipelined and HTTP/1.0 connections. */
class LbServerForwardingTest {
    private MockWebServer backend;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        backend = TestServer.startMockServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBodySize() > 0 ? request.getBody().utf8() : "";
                return new MockResponse.Builder().addHeader("X-Backend", "mock")
                        .body(request.getMethod() + " " + request.getTarget() + " " + body).build();
            }
        });
        server = TestServer.start(LoadBalancer.builder().backend(TestServer.url(backend)), ServerOptions.builder()
                .route("/local", exchange -> {
                    // Answers without reading the request body: the server must read it away itself.
                    exchange.respondText(200, "local " + exchange.method(), 0);
                })
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        backend.close();
    }

    @Test
    void aRequestReachesTheBackendAsSentAndItsAnswerComesBack() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("GET /a%2Fb//c?q=%20&r HTTP/1.1\r\nHost: example.test\r\nX-Custom:  spaced value \r\n\r\n");
            RawClient.Response response = client.read("GET");

            assertEquals(200, response.status());
            assertEquals("GET /a%2Fb//c?q=%20&r ", response.bodyText());
            assertEquals("mock", response.header("X-Backend"));
            assertTrue(response.header("Date") != null, "a Date header");
        }
        RecordedRequest received = backend.takeRequest();
        assertEquals("spaced value", received.getHeaders().get("X-Custom"));
        assertEquals("example.test", received.getHeaders().get("X-Forwarded-Host"));
        assertEquals("127.0.0.1", received.getHeaders().get("X-Forwarded-For"));
    }

    @Test
    void severalRequestsShareOneKeptAliveConnection() throws Exception {
        try (RawClient client = server.connect()) {
            for (int i = 0; i < 5; i++) {
                client.send(server.get("/n" + i));
                RawClient.Response response = client.read("GET");
                assertEquals("GET /n" + i + " ", response.bodyText());
                assertNull(response.header("Connection"));
            }
        }
        assertEquals(5, backend.getRequestCount());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient client = server.connect()) {
            client.send(server.get("/first") + "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"
                    + server.get("/third"));

            assertEquals("GET /first ", client.read("GET").bodyText());
            assertEquals("POST /second body", client.read("POST").bodyText());
            assertEquals("GET /third ", client.read("GET").bodyText());
        }
    }

    @Test
    void aChunkedRequestBodyReachesTheBackendDeFramed() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n1;ext=1\r\n,\r\nA\r\n world 123\r\n0\r\nX-Trailer: ignored\r\n\r\n");
            RawClient.Response response = client.read("POST");

            assertEquals("POST /chunked hello, world 123", response.bodyText());
            client.send(server.get("/after"));
            assertEquals("GET /after ", client.read("GET").bodyText(), "the connection stays usable");
        }
        RecordedRequest received = backend.takeRequest();
        assertEquals("hello, world 123", received.getBody().utf8());
        assertNull(received.getHeaders().get("X-Trailer"));
    }

    @Test
    void expectContinueGetsA100BeforeTheBodyIsSent() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, client.readHead().status(), "100 Continue before any body byte was sent");

            client.send("payload");
            RawClient.Response response = client.read("PUT");
            assertEquals(200, response.status());
            assertEquals("PUT /upload payload", response.bodyText());
        }
    }

    @Test
    void anHttp10ClientGetsItsConnectionClosedUnlessItAsksForKeepAlive() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("GET /old HTTP/1.0\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertEquals("GET /old ", response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
        try (RawClient client = server.connect()) {
            client.send("GET /old1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response first = client.read("GET");
            assertEquals("keep-alive", first.header("Connection"));
            client.send("GET /old2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("GET /old2 ", client.read("GET").bodyText());
        }
    }

    @Test
    void connectionCloseFromTheClientIsHonoured() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawClient.Response response = client.read("GET");
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aLocalRouteAnswersWithoutTheBackendAndItsUnreadBodyIsSkipped() throws Exception {
        try (RawClient client = server.connect()) {
            client.send("POST /local?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + server.get("/next"));

            RawClient.Response local = client.read("POST");
            assertEquals("local POST\n", local.bodyText());
            assertEquals("GET /next ", client.read("GET").bodyText());
        }
        assertEquals(1, backend.getRequestCount(), "only /next reached the backend");
    }

    @Test
    void aLargeResponseStreamsThroughInOrder() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >>> 12));
        }
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body(new Buffer().write(big)).build();
            }
        });
        try (RawClient client = server.connect()) {
            client.send(server.get("/big"));
            RawClient.Response head = client.readHead();
            assertEquals(String.valueOf(big.length), head.header("Content-Length"));
            InputStream body = client.input();
            byte[] received = body.readNBytes(big.length);
            assertEquals(big.length, received.length);
            assertArrayEquals(big, received);
        }
        TestServer.awaitTrue(() -> server.lb.inFlight() == 0, "the request stayed in flight");
    }
}
