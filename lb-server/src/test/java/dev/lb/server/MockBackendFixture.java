package dev.lb.server;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** For tests against one MockWebServer backend with a server (default settings) in front, fresh per test. */
abstract class MockBackendFixture {
    MockWebServer backend;
    TestServer server;

    @BeforeEach
    void startBackendAndServer() throws Exception {
        backend = TestServer.startMockServer();
        server = TestServer.to(TestServer.url(backend));
    }

    @AfterEach
    void closeServerAndBackend() throws Exception {
        server.close();
        backend.close();
    }
}
