package dev.lb.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The client half of the streaming tests: sends and receives {@link PatternStream}s, hashing as it goes. */
final class StreamingClient {
    private static final long SEED = 42;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final StreamingBackend backend;
    private final URI proxy;

    StreamingClient(StreamingBackend backend, URI proxy) {
        this.backend = backend;
        this.proxy = proxy;
    }

    /** Uploads {@code length} bytes with a Content-Length or chunked, and checks what the backend received. */
    void assertUploadArrivesIntact(long length, boolean fixedLength) throws Exception {
        GatedUpload body = new GatedUpload(length, backend.uploadReachedBackend);
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        HttpRequest request = HttpRequest.newBuilder(proxy.resolve("/upload"))
                .POST(fixedLength ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream)
                .build();

        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode(), response.body());
        String expected = length + " " + PatternStream.hex(body.digest) + " " + (fixedLength ? length : "chunked");
        assertEquals(expected, response.body(), "bytes, SHA-256 and framing the backend received");
    }

    /** Downloads {@code length} bytes sent with a Content-Length or chunked and checks them against the backend's. */
    void assertDownloadArrivesIntact(long length, boolean fixedLength) throws Exception {
        URI uri = proxy.resolve("/download?bytes=" + length + "&seed=" + SEED + "&framing="
                + (fixedLength ? "fixed" : "chunked"));

        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(200, response.statusCode());
        if (fixedLength) {
            assertEquals(length, response.headers().firstValueAsLong("Content-Length").orElse(-1));
        } else {
            assertFalse(response.headers().firstValue("Content-Length").isPresent());
        }
        MessageDigest digest = PatternStream.sha256();
        long received = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = response.body()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
                received += read;
                if (received >= StreamingBackend.GATE / 2) {
                    backend.downloadReachedClient();
                }
            }
        }
        assertEquals(length, received, "bytes received");
        assertEquals(backend.downloadSentSha256(), PatternStream.hex(digest), "SHA-256 of the download");
    }

    /**
     * The upload body: after {@link StreamingBackend#GATE} bytes it waits until the backend saw half of them, so
     * a proxy that buffered the whole body before forwarding it would stall the upload.
     */
    private static final class GatedUpload extends InputStream {
        final MessageDigest digest = PatternStream.sha256();
        private final PatternStream data;
        private final CountDownLatch backendSawFirstBytes;
        private boolean passed;

        GatedUpload(long length, CountDownLatch backendSawFirstBytes) {
            this.data = new PatternStream(length, SEED);
            this.backendSawFirstBytes = backendSawFirstBytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (!passed && data.position() >= StreamingBackend.GATE) {
                awaitBackend();
                passed = true;
            }
            int allowed = passed ? count : (int) Math.min(count, StreamingBackend.GATE - data.position());
            int read = data.read(buffer, offset, allowed);
            if (read > 0) {
                digest.update(buffer, offset, read);
            }
            return read;
        }

        private void awaitBackend() throws IOException {
            try {
                if (!backendSawFirstBytes.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the backend never saw the first " + StreamingBackend.GATE
                            + " bytes: the proxy is holding the body back");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
