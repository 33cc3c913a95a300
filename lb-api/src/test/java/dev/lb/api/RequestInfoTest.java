package dev.lb.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestInfoTest {
    @Test
    void aBuiltRequestAnswersHeadersCaseInsensitivelyInTheOrderGiven() {
        InetSocketAddress peer = new InetSocketAddress("10.0.0.7", 41000);
        RequestInfo request = RequestInfo.of("PATCH", "/a?b=1", peer,
                Map.of("X-Forwarded-For", List.of("1.1.1.1", "2.2.2.2")));

        assertEquals("PATCH", request.method());
        assertEquals("/a?b=1", request.target());
        assertEquals(peer, request.remoteAddress());
        assertEquals(Optional.of("1.1.1.1"), request.header("x-forwarded-for"));
        assertEquals(List.of("1.1.1.1", "2.2.2.2"), request.headers("X-FORWARDED-FOR"));
        assertEquals(Optional.empty(), request.header("Forwarded"));
        assertEquals(List.of(), request.headers("Forwarded"));
    }
}
