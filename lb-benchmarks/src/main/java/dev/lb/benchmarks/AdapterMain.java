package dev.lb.benchmarks;

import dev.lb.core.LoadBalancer;
import dev.lb.examples.RunnerConfig;
import dev.lb.httpserver.HttpServerAdapter;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * The benchmark rig's stand-in for the standalone runner, served by the JDK server adapter
 * ({@link HttpServerAdapter}) instead of the runner's {@code LbServer}, configured exactly as the runner's
 * {@code BACKENDS} mode ({@link RunnerConfig#ofBackends}): round robin over the comma-separated URLs in
 * {@code BACKENDS}, default timeouts and health checks, no rate limit, at {@code LB_PORT}, else {@code PORT}, else
 * 3332. Stops on SIGTERM.
 *
 * <pre>BACKENDS=http://127.0.0.1:9001,http://127.0.0.1:9002 PORT=8080 \
 *     java -cp lb-benchmarks/target/benchmarks.jar dev.lb.benchmarks.AdapterMain</pre>
 */
public final class AdapterMain {
    private AdapterMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String backends = System.getenv("BACKENDS");
        if (backends == null || backends.isBlank()) {
            System.err.println("AdapterMain: set BACKENDS to comma-separated backend URLs");
            System.exit(2);
        }
        RunnerConfig config = RunnerConfig.ofBackends(backends, System.getenv());
        LoadBalancer lb = config.loadBalancerBuilder().start();
        HttpServerAdapter server = HttpServerAdapter.serve(lb, config.listenAddress());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            lb.close();
            stopped.countDown();
        }, "adapter-main-shutdown"));
        System.out.println("AdapterMain: listening on " + server.address() + ", backends " + backends);
        stopped.await();
    }
}
