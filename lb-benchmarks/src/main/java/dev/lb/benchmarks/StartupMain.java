package dev.lb.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.lb.core.LoadBalancer;
import dev.lb.httpserver.HttpServerAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Start-up cost in a fresh JVM, the first start being the one that loads the classes: {@code lb} times
 * {@code LoadBalancer.builder()…start()} plus {@code HttpServerAdapter.serve(…)}, then the first request proxied to a
 * backend; {@code jdk}, the peer, times a bare JDK {@code HttpServer} with a handler that answers {@code 200}, then
 * its first request; both then close. Then {@value #WARM_CYCLES} more cycles in the same JVM give the medians a test
 * suite pays per start. The backend is a plain socket, so it warms neither side's classes. Prints one line:
 * {@code STARTUP mode=… ready_ms=… first_response_ms=… close_ms=… warm_ready_ms=… warm_first_response_ms=…
 * warm_close_ms=…}. {@code bench/startup.sh} runs it.
 */
public final class StartupMain {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);

    /** Starts after the first in the same JVM, as a test suite that starts one per test does. */
    private static final int WARM_CYCLES = 21;

    private StartupMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 1 ? args[0] : "";
        if (!mode.equals("lb") && !mode.equals("jdk")) {
            System.err.println("StartupMain: give the mode, lb or jdk");
            System.exit(2);
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket backend = new ServerSocket(0, 50, loopback)) {
            Thread answering = new Thread(() -> answer(backend), "startup-backend");
            answering.setDaemon(true);
            answering.start();
            double[] first = cycle(mode, backend.getLocalPort());
            double[][] warm = new double[WARM_CYCLES][];
            for (int i = 0; i < WARM_CYCLES; i++) {
                warm[i] = cycle(mode, backend.getLocalPort());
            }
            System.out.printf("STARTUP mode=%s ready_ms=%.1f first_response_ms=%.1f close_ms=%.1f"
                            + " warm_ready_ms=%.2f warm_first_response_ms=%.2f warm_close_ms=%.2f%n", mode,
                    first[0], first[1], first[2], median(warm, 0), median(warm, 1), median(warm, 2));
        }
    }

    /** One start, first request and close; returns their durations in milliseconds. */
    private static double[] cycle(String mode, int backendPort) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        long start = System.nanoTime();
        AutoCloseable stop;
        int port;
        if (mode.equals("lb")) {
            LoadBalancer lb = LoadBalancer.builder()
                    .backend("http://127.0.0.1:" + backendPort)
                    .start();
            HttpServerAdapter server = HttpServerAdapter.serve(lb, new InetSocketAddress(loopback, 0));
            port = server.address().getPort();
            stop = () -> {
                server.close();
                lb.close();
            };
        } else {
            HttpServer server = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
            server.createContext("/", exchange -> {
                exchange.sendResponseHeaders(200, 2);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write("ok".getBytes(StandardCharsets.ISO_8859_1));
                }
            });
            server.start();
            port = server.getAddress().getPort();
            stop = () -> server.stop(0);
        }
        long ready = System.nanoTime();
        String status = firstStatusLine(new InetSocketAddress(loopback, port));
        long answered = System.nanoTime();
        stop.close();
        long closed = System.nanoTime();
        if (!status.startsWith("HTTP/1.1 200")) {
            System.err.println("StartupMain: the first request got \"" + status + "\" (expected: 200)");
            System.exit(1);
        }
        return new double[] {(ready - start) / 1e6, (answered - ready) / 1e6, (closed - answered) / 1e6};
    }

    private static double median(double[][] cycles, int figure) {
        double[] values = new double[cycles.length];
        for (int i = 0; i < cycles.length; i++) {
            values[i] = cycles[i][figure];
        }
        Arrays.sort(values);
        return values[values.length / 2];
    }

    /** The backend: answers each connection's request with a fixed 200 and closes it. */
    private static void answer(ServerSocket backend) {
        while (true) {
            try (Socket connection = backend.accept()) {
                readHead(connection.getInputStream());
                connection.getOutputStream().write(RESPONSE);
            } catch (IOException e) {
                return; // closed at the end of main
            }
        }
    }

    private static String firstStatusLine(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.getOutputStream().write(REQUEST);
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b >= 0 && b != '\r' && b != '\n'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }

    /** Reads up to the blank line that ends a request head. */
    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return;
            }
        }
    }
}
