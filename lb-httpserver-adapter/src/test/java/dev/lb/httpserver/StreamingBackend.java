package dev.lb.httpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on an in-test {@link HttpServer} that hashes uploads as they arrive and generates downloads from a
 * {@link PatternStream}, so nothing large is ever held in memory.
 *
 * <p>Both directions are gated to prove the proxy streams: a download writes {@link #GATE} bytes and then waits
 * until the client has {@link #downloadReachedClient() seen} half of them; the upload handler signals
 * {@link #uploadReachedBackend} once half of {@code GATE} arrived, and the client holds back the rest until then.
 * A proxy that buffered a whole body would leave both sides waiting and the transfer would fail.
 */
final class StreamingBackend implements AutoCloseable {
    static final int GATE = 1 << 20;
    private static final int BUFFER = 64 * 1024;

    final CountDownLatch uploadReachedBackend = new CountDownLatch(1);
    private final CountDownLatch downloadReachedClient = new CountDownLatch(1);
    private final CompletableFuture<String> downloadSent = new CompletableFuture<>();
    private final HttpServer server;
    private final ExecutorService executor;

    StreamingBackend() throws IOException {
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "test-streaming-backend-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/upload", this::upload);
        server.createContext("/download", this::download);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Called by the client once it received part of the download, letting the backend send the rest. */
    void downloadReachedClient() {
        downloadReachedClient.countDown();
    }

    /** The SHA-256 of the download as the backend wrote it, once it wrote all of it. */
    String downloadSentSha256() throws Exception {
        return downloadSent.get(30, TimeUnit.SECONDS);
    }

    /** Answers {@code "<bytes received> <sha256 hex> <framing>"}, framing being the Content-Length or "chunked". */
    private void upload(HttpExchange exchange) throws IOException {
        try (exchange) {
            MessageDigest digest = PatternStream.sha256();
            long received = 0;
            byte[] buffer = new byte[BUFFER];
            try (InputStream in = exchange.getRequestBody()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    digest.update(buffer, 0, read);
                    received += read;
                    if (received >= GATE / 2) {
                        uploadReachedBackend.countDown();
                    }
                }
            }
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            String framing = "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"))
                    ? "chunked" : length;
            byte[] answer = (received + " " + PatternStream.hex(digest) + " " + framing)
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    /** {@code /download?bytes=N&seed=S&framing=fixed|chunked}. */
    private void download(HttpExchange exchange) throws IOException {
        // Not try-with-resources: closing the exchange would end a chunked body cleanly even after a failure; a
        // handler that throws makes HttpServer drop the connection instead, which the proxy must pass on.
        try {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            long length = Long.parseLong(query.get("bytes"));
            boolean fixed = query.getOrDefault("framing", "fixed").equals("fixed");
            PatternStream data = new PatternStream(length, Long.parseLong(query.getOrDefault("seed", "1")));
            MessageDigest digest = PatternStream.sha256();
            exchange.sendResponseHeaders(200, fixed ? length : 0);
            OutputStream out = exchange.getResponseBody();
            byte[] buffer = new byte[BUFFER];
            boolean gated = false;
            int read;
            while ((read = data.read(buffer, 0, buffer.length)) >= 0) {
                digest.update(buffer, 0, read);
                out.write(buffer, 0, read);
                if (!gated && data.position() >= GATE) {
                    gated = true;
                    out.flush();
                    if (!awaitClient()) {
                        throw new IOException("the client never saw the first " + GATE
                                + " bytes: the proxy is holding the body back");
                    }
                }
            }
            exchange.close();
            downloadSent.complete(PatternStream.hex(digest));
        } catch (IOException | RuntimeException e) {
            downloadSent.completeExceptionally(e);
            throw e;
        }
    }

    private boolean awaitClient() throws IOException {
        try {
            return downloadReachedClient.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                values.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return values;
    }

    @Override
    public void close() {
        downloadReachedClient.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
