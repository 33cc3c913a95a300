package dev.lb.httpserver;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a bare {@link ServerSocket} for the failures an HTTP server library will not produce: resets,
 * half-written bodies, answers that are not HTTP. Each accepted connection reads one request head (and, when
 * started with {@link #startReadingBody}, its Content-Length body), records it, and hands the socket to the script.
 * Counts connections, so tests can check the proxy closed every one it opened.
 */
final class ScriptedBackend implements AutoCloseable {
    /** What the backend does with one connection once the request head has been read. */
    @FunctionalInterface
    interface Script {
        void run(Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    /**
     * The request line and raw header lines as the backend received them, and the body when the backend reads
     * bodies (else empty).
     */
    record RequestHead(String requestLine, List<String> headerLines, byte[] body) {
        String method() {
            return requestLine.split(" ", 3)[0];
        }

        String target() {
            return requestLine.split(" ", 3)[1];
        }

        /** The first value of the header, names compared case-insensitively; null when absent. */
        String header(String name) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final boolean readBody;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger received = new AtomicInteger();
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<RequestHead> requests = new LinkedBlockingQueue<>();

    private ScriptedBackend(Script script, boolean readBody) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.script = script;
        this.readBody = readBody;
        this.acceptor = new Thread(this::acceptLoop, "test-scripted-backend");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script, false);
    }

    /** A backend that reads each request's Content-Length body, records it, and only then runs the script. */
    static ScriptedBackend startReadingBody(Script script) throws IOException {
        return new ScriptedBackend(script, true);
    }

    /** Closes the connection with a reset (RST), before any response byte. */
    static Script reset() {
        return (socket, in, out) -> {
            socket.setSoLinger(true, 0);
            socket.close();
        };
    }

    /** Never answers: reads (and discards) whatever comes until the proxy closes the connection. */
    static Script neverAnswer() {
        return (socket, in, out) -> in.transferTo(OutputStream.nullOutputStream());
    }

    /** Writes the ASCII text, flushes, and closes the socket. */
    static Script answerAndClose(String response) {
        return (socket, in, out) -> {
            out.write(response.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.close();
        };
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The next request head received, waiting up to 5s; fails the test if none came. */
    RequestHead takeRequest() throws InterruptedException {
        RequestHead head = requests.poll(5, TimeUnit.SECONDS);
        if (head == null) {
            throw new AssertionError("the backend received no request within 5s");
        }
        return head;
    }

    /** Requests received so far, taken or not. */
    int requestCount() {
        return received.get();
    }

    /** Connections accepted so far. */
    int connections() {
        return accepted.get();
    }

    /** Connections accepted and not yet closed (by either side). */
    int openConnections() {
        return open.get();
    }

    /** Requests received and not yet taken. */
    int pendingRequests() {
        return requests.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            sockets.add(socket);
            accepted.incrementAndGet();
            open.incrementAndGet();
            Thread handler = new Thread(() -> serve(socket), "test-scripted-backend-connection");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = readLine(in);
            if (requestLine == null) {
                return;
            }
            List<String> headers = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null && !line.isEmpty()) {
                headers.add(line);
            }
            byte[] body = new byte[0];
            if (readBody) {
                RequestHead head = new RequestHead(requestLine, headers, body);
                String length = head.header("Content-Length");
                body = length == null ? body : in.readNBytes(Integer.parseInt(length));
            }
            received.incrementAndGet();
            requests.add(new RequestHead(requestLine, List.copyOf(headers), body));
            script.run(socket, in, socket.getOutputStream());
        } catch (IOException e) {
            // The proxy went away; nothing to report.
        } finally {
            open.decrementAndGet(); // the socket is closed by now
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return b < 0 && line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        acceptor.join(5_000);
    }
}
