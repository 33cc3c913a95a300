package dev.lb.core;

import dev.lb.api.RequestInfo;
import java.net.InetSocketAddress;
import java.util.Map;

/** Requests for driving strategies and the balancer without HTTP. */
public final class TestRequests {
    /** {@code GET /} from 127.0.0.1, without headers. */
    public static final RequestInfo GET =
            RequestInfo.of("GET", "/", new InetSocketAddress("127.0.0.1", 40000), Map.of());

    private TestRequests() {
    }
}
