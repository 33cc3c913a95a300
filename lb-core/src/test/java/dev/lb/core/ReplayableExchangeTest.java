package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.core.proxy.ClientBodyException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayableExchangeTest {
    private static byte[] bytes(int length) {
        byte[] body = new byte[length];
        new Random(length).nextBytes(body);
        return body;
    }

    /** An exchange whose body can be read only once, like a client connection. */
    private static Exchange client(byte[] body) {
        InputStream once = new ByteArrayInputStream(body);
        return new Exchange() {
            @Override
            public Map<String, List<String>> requestHeaders() {
                return Map.of();
            }

            @Override
            public InputStream requestBody() {
                return once;
            }

            @Override
            public boolean secure() {
                return false;
            }

            @Override
            public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String method() {
                return "PUT";
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
    }

    private static byte[] readSome(InputStream in, int count) throws IOException {
        return in.readNBytes(count);
    }

    @Test
    void aBodyWithinTheBufferIsReplayedWholeAfterAPartialRead() throws IOException {
        byte[] body = bytes(10_000);
        ReplayableExchange exchange = new ReplayableExchange(client(body), 64 * 1024, -1);
        assertEquals(3_000, readSome(exchange.requestBody(), 3_000).length);
        assertTrue(exchange.rewind());
        assertArrayEquals(body, exchange.requestBody().readAllBytes(), "kept prefix, then the rest from the client");
        assertTrue(exchange.rewind());
        assertArrayEquals(body, exchange.requestBody().readAllBytes(), "and again");
    }

    @Test
    void aBodyThatOutgrowsTheBufferCannotBeReplayed() throws IOException {
        byte[] body = bytes(100_000);
        ReplayableExchange exchange = new ReplayableExchange(client(body), 64 * 1024, -1);
        assertArrayEquals(body, exchange.requestBody().readAllBytes(), "streams through unchanged");
        assertFalse(exchange.rewind());
    }

    @Test
    void anUnreadBodyCanAlwaysGoAgain() {
        ReplayableExchange exchange = new ReplayableExchange(client(bytes(100_000)), 0, -1);
        assertTrue(exchange.rewind());
    }

    @Test
    void crossingTheBodyLimitIsA413WhateverTheFraming() throws IOException {
        ReplayableExchange exchange = new ReplayableExchange(client(bytes(2_000)), 64 * 1024, 1_000);
        InputStream in = exchange.requestBody();
        assertEquals(1_000, readSome(in, 1_000).length, "up to the limit is fine");
        ClientBodyException e = assertThrows(ClientBodyException.class, () -> in.read(new byte[100]));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("1000 bytes"), e.getMessage());
    }
}
