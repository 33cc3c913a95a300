package dev.lb.examples;

import com.sun.net.httpserver.HttpServer;
import dev.lb.api.Backend;
import dev.lb.core.LoadBalancer;
import dev.lb.httpserver.HttpServerAdapter;
import dev.lb.server.LbServer;
import dev.lb.server.ServerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone load balancer: {@code java -jar lb-standalone.jar [--config FILE]}.
 *
 * <p>Where the configuration comes from, first found wins:
 * <ol>
 *   <li>{@code --config FILE}: a YAML file in the Go original's format (see {@link RunnerConfig});</li>
 *   <li>{@code config.yaml} in the working directory, as the Go original read it;</li>
 *   <li>the environment variable {@code BACKENDS}, comma-separated backend URLs, listening on {@code LB_PORT}, else
 *       {@code PORT}, else 3332 (the benchmark rig's contract);</li>
 *   <li>otherwise a demo: two small backends inside this process and the load balancer in front of them on
 *       {@code LB_PORT}, else {@code PORT}, else 3332.</li>
 * </ol>
 * {@code LB_PORT} overrides the file's {@code lb_port}. On SIGTERM or SIGINT the server stops taking requests, lets
 * those in flight finish for up to {@code shutdown_grace}, then exits.
 *
 * <p>Exit codes: 0 after {@code --help} or a clean shutdown (143/130 when ended by SIGTERM/SIGINT, as for any JVM),
 * 1 when the server cannot start (e.g. the port is taken), 2 for a bad argument or configuration, reported as one
 * line on standard error.
 *
 * <p>Observability: {@code GET /metrics} (Prometheus text) and {@code GET /status} (JSON) on the load balancer's
 * port, or on {@code admin_port} when set; logs as readable lines on standard output, or one JSON object per line
 * with {@code LOG_ENV=prod} or {@code LOG_FORMAT=json}; an access log on the logger {@code lb.access} with
 * {@code access_log: true}.
 */
public final class Standalone {
    static {
        // Before the first logger: logback.xml reads the choice when it configures itself.
        LogFormat.select(System.getenv());
    }

    private static final Logger log = LoggerFactory.getLogger(Standalone.class);
    private static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar lb-standalone.jar [--config FILE]",
            "",
            "Runs an HTTP load balancer. Configuration, first found wins:",
            "  --config FILE   YAML: lb_port, strategy, strategy_options, backends, shutdown_grace, connect_timeout,",
            "                  response_timeout, health_check, passive, panic_mode, drain_timeout, slow_start,",
            "                  metrics_path (/metrics), status_path (/status), admin_port, access_log (false)",
            "                  rate_limit (absent: 10 requests/s, burst 20 per client, as the Go original;",
            "                  BACKENDS and the demo have none)",
            "  ./config.yaml   the same, in the working directory",
            "  BACKENDS        environment: comma-separated backend URLs, port from LB_PORT or PORT (default 3332)",
            "  (none)          demo: two backends inside the process, port from LB_PORT or PORT (default 3332)",
            "LB_PORT overrides lb_port. LOG_ENV=prod or LOG_FORMAT=json: JSON log lines.",
            "Exit codes: 1 could not start, 2 bad argument or configuration.");

    static {
        // The demo backends are created before the load balancer's server.
        HttpServerAdapter.configureJdkServerDefaults();
    }

    private Standalone() {
    }

    /** Runs the load balancer until SIGTERM or SIGINT; see the class description. */
    public static void main(String[] args) {
        int code = run(args, System.getenv(), Path.of(""), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Does what {@link #main} does, but returns the exit code instead of exiting: non-zero when it could not start,
     * 0 after {@code --help} or once the server runs (a shutdown hook then stops it).
     */
    static int run(String[] args, Map<String, String> env, Path workingDir, PrintStream out, PrintStream err) {
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (arg.equals("--config") && i + 1 < args.length) {
                configFile = args[++i];
            } else if (arg.startsWith("--config=")) {
                configFile = arg.substring("--config=".length());
            } else {
                err.println((arg.equals("--config") ? "missing FILE after --config" : "unknown argument: " + arg)
                        + " (usage: java -jar lb-standalone.jar [--config FILE], or --help)");
                return 2;
            }
        }
        if (configFile == null && Files.exists(workingDir.resolve("config.yaml"))) {
            configFile = "config.yaml";
        }
        String source = configFile != null ? configFile : "BACKENDS";
        Running running;
        try {
            if (configFile != null) {
                running = start(RunnerConfig.parse(read(workingDir.resolve(configFile)), env));
            } else if (env.containsKey("BACKENDS")) {
                running = start(RunnerConfig.ofBackends(env.get("BACKENDS"), env));
            } else {
                source = "demo";
                running = startDemo(env);
                out.println("Demo: two backends run inside this process. Try: curl " + url(running.address()));
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("config error: " + source + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot start: " + e);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.atInfo().setMessage("shutdown signal received").log();
            running.close();
            log.atInfo().setMessage("graceful shutdown completed").log();
        }, "lb-shutdown"));
        return 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("file not found");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the file: " + e);
        }
    }

    private static String url(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "localhost" : address.getHostString();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort() + "/";
    }

    /**
     * Starts a load balancer with {@code config} and serves it on {@code config.listenAddress()}, logging the
     * configuration (and a warning naming any unknown keys).
     *
     * @throws IOException if the address cannot be bound
     */
    public static Running start(RunnerConfig config) throws IOException {
        return start(config, List.of());
    }

    private static Running start(RunnerConfig config, List<HttpServer> demoBackends) throws IOException {
        if (!config.unknownKeys().isEmpty()) {
            log.atWarn().setMessage("unknown config keys ignored").addKeyValue("keys", config.unknownKeys()).log();
        }
        log.atInfo().setMessage("config loaded").addKeyValue("port", config.listenAddress().getPort())
                .addKeyValue("strategy", config.strategy()).addKeyValue("strategy_options", config.strategyOptions())
                .addKeyValue("slow_start", config.slowStart()).addKeyValue("backends", config.backends())
                .addKeyValue("health_check", config.healthCheck()).addKeyValue("passive", config.passive())
                .addKeyValue("panic_mode", config.panicMode()).addKeyValue("rate_limit", config.rateLimit())
                .addKeyValue("observability", config.observability()).log();
        for (Backend backend : config.backends()) {
            log.atInfo().setMessage("backend registered").addKeyValue("backend", backend)
                    .addKeyValue("weight", backend.weight()).log();
        }
        LoadBalancer lb = config.loadBalancerBuilder().start();
        Observability observability = null;
        try {
            observability = Observability.start(lb, config.observability());
            ServerOptions.Builder options = ServerOptions.builder();
            observability.routes().forEach(options::route);
            LbServer server = LbServer.serve(lb, config.listenAddress(), options.build());
            return new Running(server, lb, observability, config, demoBackends);
        } catch (IOException | RuntimeException e) {
            lb.close();
            if (observability != null) {
                observability.close();
            }
            throw e;
        }
    }

    /**
     * Starts two demo backends on free loopback ports, answering {@code hello from demo backend N} on every path
     * (health probes included), and a round-robin load balancer with the default health checks in front of them
     * on {@code LB_PORT}, else {@code PORT}, else 3332.
     */
    static Running startDemo(Map<String, String> env) throws IOException {
        List<HttpServer> demoBackends = new ArrayList<>();
        try {
            List<String> urls = new ArrayList<>();
            for (int n = 1; n <= 2; n++) {
                HttpServer backend = demoBackend("hello from demo backend " + n + "\n");
                demoBackends.add(backend);
                urls.add("http://127.0.0.1:" + backend.getAddress().getPort());
            }
            RunnerConfig config = RunnerConfig.ofBackends(String.join(",", urls), env);
            log.atInfo().setMessage("demo backends started").addKeyValue("backends", urls).log();
            return start(config, demoBackends);
        } catch (IOException | RuntimeException e) {
            demoBackends.forEach(backend -> backend.stop(0));
            throw e;
        }
    }

    private static HttpServer demoBackend(String answer) throws IOException {
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /** A running load balancer and its server. Thread-safe. */
    public static final class Running implements AutoCloseable {
        private final LbServer server;
        private final LoadBalancer lb;
        private final Observability observability;
        private final RunnerConfig config;
        private final List<HttpServer> demoBackends;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Running(LbServer server, LoadBalancer lb, Observability observability, RunnerConfig config,
                        List<HttpServer> demoBackends) {
            this.server = server;
            this.lb = lb;
            this.observability = observability;
            this.config = config;
            this.demoBackends = demoBackends;
        }

        /** The address the server is bound to; with port 0 configured, this tells the port chosen. */
        public InetSocketAddress address() {
            return server.address();
        }

        /** The admin server's address ({@code admin_port}), empty when metrics and status share the LB's port. */
        public Optional<InetSocketAddress> adminAddress() {
            return observability.adminAddress();
        }

        /** The load balancer, e.g. to read its state. */
        LoadBalancer loadBalancer() {
            return lb;
        }

        /**
         * Stops taking requests, lets those in flight finish for up to the configured {@code shutdown_grace},
         * then stops the server, the load balancer and any demo backends. Idempotent.
         */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                server.close(config.shutdownGrace());
                lb.close();
                if (config.healthCheck().enabled()) {
                    log.atInfo().setMessage("health check scheduler stopped").log();
                }
                observability.close();
                demoBackends.forEach(backend -> backend.stop(0));
            }
        }
    }
}
