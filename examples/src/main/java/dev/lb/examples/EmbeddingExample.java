package dev.lb.examples;

import dev.lb.core.LoadBalancer;
import dev.lb.httpserver.HttpServerAdapter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The library embedded in an application: a load balancer on port 3332 in front of two backends. */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    /** Starts the load balancer; it runs until the JVM is asked to stop, then drains for up to 10 seconds. */
    public static void main(String[] args) throws IOException {
        LoadBalancer lb = LoadBalancer.builder()
                .strategy("least-connections")
                .backend("http://127.0.0.1:9001")
                .backend("http://127.0.0.1:9002", 3)
                .responseTimeout(Duration.ofSeconds(10))
                .start();
        HttpServerAdapter server = HttpServerAdapter.serve(lb, new InetSocketAddress(3332));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(Duration.ofSeconds(10)); // in-flight requests finish first
            lb.close();
        }));
    }
}
