package dev.lb.httpserver;

import dev.lb.core.LoadBalancer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A load balancer served by the adapter on an ephemeral loopback port, as a program of its own so a test can run
 * the proxy in a JVM with a small heap. Argument: the backend URL. Prints {@code PORT <n>} once it listens and
 * runs until its standard input ends.
 */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void main(String[] args) throws IOException {
        try (LoadBalancer lb = LoadBalancer.builder().backend(args[0]).start();
             HttpServerAdapter adapter = HttpServerAdapter.serve(lb, new InetSocketAddress("127.0.0.1", 0))) {
            System.out.println("PORT " + adapter.address().getPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // The parent closes our stdin (or dies) to stop us.
            }
            adapter.close(Duration.ofSeconds(1));
        }
    }
}
