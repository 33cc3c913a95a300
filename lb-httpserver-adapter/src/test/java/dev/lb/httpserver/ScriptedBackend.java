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

/**
 * A backend on a bare {@link ServerSocket} for the failures an HTTP server library will not produce: resets,
 * half-written bodies, answers that are not HTTP. Each accepted connection reads one request head, records it,
 * and hands the socket to the script.
 */
final class ScriptedBackend implements AutoCloseable {
    /** What the backend does with one connection once the request head has been read. */
    @FunctionalInterface
    interface Script {
        void run(Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    /** The request line and raw header lines as the backend received them. */
    record RequestHead(String requestLine, List<String> headerLines) {
        String method() {
            return requestLine.split(" ", 3)[0];
        }

        String target() {
            return requestLine.split(" ", 3)[1];
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<RequestHead> requests = new LinkedBlockingQueue<>();

    private ScriptedBackend(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "test-scripted-backend");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script);
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
            requests.add(new RequestHead(requestLine, List.copyOf(headers)));
            script.run(socket, in, socket.getOutputStream());
        } catch (IOException e) {
            // The proxy went away; nothing to report.
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
