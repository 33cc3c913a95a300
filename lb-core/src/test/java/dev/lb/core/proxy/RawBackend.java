package dev.lb.core.proxy;

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
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a bare {@link ServerSocket} that hands each accepted connection to a script, so tests control
 * every byte and every close; it records the requests it read and counts connections.
 */
final class RawBackend implements AutoCloseable {
    /** What the backend does with one connection. */
    @FunctionalInterface
    interface Script {
        void serve(Connection connection) throws IOException;
    }

    /** A request as received: request line, header lines, de-framed body. */
    record Request(String requestLine, List<String> headerLines, byte[] body) {
        String method() {
            return requestLine.split(" ", 3)[0];
        }

        String header(String name) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    /** One accepted connection; {@link #number} counts from 1 in accept order. */
    final class Connection {
        final int number;
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(int number, Socket socket) throws IOException {
            this.number = number;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Reads the next request, body included; null when the proxy closed the connection first. */
        Request read() throws IOException {
            String requestLine = readLine(in);
            if (requestLine == null) {
                return null;
            }
            List<String> headers = new ArrayList<>();
            String line;
            long length = 0;
            boolean chunked = false;
            while ((line = readLine(in)) != null && !line.isEmpty()) {
                headers.add(line);
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                int size;
                while ((size = Integer.parseInt(readLine(in), 16)) > 0) {
                    body.write(in.readNBytes(size));
                    readLine(in);
                }
                readLine(in);
            } else {
                body.write(in.readNBytes((int) length));
            }
            Request request = new Request(requestLine, List.copyOf(headers), body.toByteArray());
            requests.add(request);
            return request;
        }

        /** Writes the text as ISO-8859-1 and flushes. */
        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    RawBackend(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "test-raw-backend");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Answers every request on a connection with a 200 and this body, keeping the connection open. */
    static Script keepAliveAnswering(String body) {
        return connection -> {
            while (connection.read() != null) {
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
        };
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    /** The next request received, waiting up to 5s. */
    Request takeRequest() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the backend received no request within 5s");
        }
        return request;
    }

    List<Request> receivedSoFar() {
        List<Request> all = new ArrayList<>();
        requests.drainTo(all);
        return all;
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
            int number = connections.incrementAndGet();
            Thread handler = new Thread(() -> {
                try (socket) {
                    script.serve(new Connection(number, socket));
                } catch (IOException e) {
                    // the proxy went away
                }
            }, "test-raw-backend-connection");
            handler.setDaemon(true);
            handler.start();
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
