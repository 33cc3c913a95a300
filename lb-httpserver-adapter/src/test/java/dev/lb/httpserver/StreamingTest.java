package dev.lb.httpserver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large bodies cross the proxy byte-identical (SHA-256 compared) and streamed, not buffered whole: each transfer
 * is gated so that the far side must see the first megabyte before the near side sends the rest (see
 * {@link StreamingBackend}). {@link BigStreamingTest} does the same with 1 GiB through a proxy with 64 MiB of heap.
 */
class StreamingTest {
    private static final long SIZE = 64L << 20;

    private StreamingBackend backend;
    private TestProxy proxy;
    private StreamingClient client;

    @BeforeEach
    void start() throws Exception {
        backend = new StreamingBackend();
        proxy = TestProxy.to(backend.url());
        client = new StreamingClient(backend, proxy.uri("/"));
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void anUploadWithContentLengthStreamsThroughIntact() throws Exception {
        client.assertUploadArrivesIntact(SIZE, true);
    }

    @Test
    void aChunkedUploadStreamsThroughIntact() throws Exception {
        client.assertUploadArrivesIntact(SIZE, false);
    }

    @Test
    void aDownloadWithContentLengthStreamsThroughIntactWithItsLength() throws Exception {
        client.assertDownloadArrivesIntact(SIZE, true);
    }

    @Test
    void aChunkedDownloadStreamsThroughIntact() throws Exception {
        client.assertDownloadArrivesIntact(SIZE, false);
    }
}
