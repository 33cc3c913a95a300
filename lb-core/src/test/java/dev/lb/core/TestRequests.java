package dev.lb.core;

import dev.lb.api.RequestInfo;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Requests for driving strategies and the balancer without HTTP. */
public final class TestRequests {
    /** {@code GET /} from 127.0.0.1, without headers. */
    public static final RequestInfo GET = new RequestInfo() {
        @Override
        public String method() {
            return "GET";
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
            return new InetSocketAddress("127.0.0.1", 40000);
        }
    };

    private TestRequests() {
    }
}
