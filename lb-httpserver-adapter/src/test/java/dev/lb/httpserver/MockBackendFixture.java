package dev.lb.httpserver;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** For tests against one MockWebServer backend with a load balancer (default settings) in front, fresh per test. */
abstract class MockBackendFixture {
    MockWebServer backend;
    TestProxy proxy;

    @BeforeEach
    void startBackendAndProxy() throws Exception {
        backend = TestProxy.startMockServer();
        proxy = TestProxy.to(TestProxy.url(backend));
    }

    @AfterEach
    void closeProxyAndBackend() throws Exception {
        proxy.close();
        backend.close();
    }
}
