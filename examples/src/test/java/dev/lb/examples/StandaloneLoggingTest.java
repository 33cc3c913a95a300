package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The runner's logs: the access log's lines, the JSON format and how the environment chooses it. */
class StandaloneLoggingTest {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build();
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
    private HttpServer backend;

    @BeforeEach
    void startBackendAndCapture() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 5);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("hello".getBytes(StandardCharsets.UTF_8));
            }
        });
        backend.start();
        captured.setContext(accessLogger.getLoggerContext());
        captured.start();
        accessLogger.addAppender(captured);
    }

    @AfterEach
    void stop() {
        accessLogger.detachAppender(captured);
        backend.stop(0);
    }

    private String backendUrl() {
        return "http://127.0.0.1:" + backend.getAddress().getPort();
    }

    private int get(Standalone.Running running, String target) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + target);
        return client.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private Standalone.Running start(String yaml) throws IOException {
        return Standalone.start(RunnerConfig.parse("lb_port: \"127.0.0.1:0\"\nhealth_check: {enabled: false}\n"
                + yaml + "backends:\n  - " + backendUrl() + "\n", Map.of()));
    }

    private static Map<String, Object> keyValues(ILoggingEvent event) {
        Map<String, Object> pairs = new HashMap<>();
        event.getKeyValuePairs().forEach(pair -> pairs.put(pair.key, pair.value));
        return pairs;
    }

    @Test
    void theAccessLogLineOfARequestCarriesItsStatusAndBackend() throws Exception {
        try (Standalone.Running running = start("access_log: true\nrate_limit: {rate: 0.001, burst: 1}\n")) {
            assertEquals(200, get(running, "/page?token=secret"));
            assertEquals(429, get(running, "/page"));
        }
        List<ILoggingEvent> lines = List.copyOf(captured.list);
        assertEquals(2, lines.size());
        Map<String, Object> proxied = keyValues(lines.get(0));
        assertEquals(200, proxied.get("status"));
        assertEquals(backendUrl(), proxied.get("backend"));
        assertEquals("127.0.0.1", proxied.get("client"));
        assertEquals("GET", proxied.get("method"));
        assertEquals("/page", proxied.get("path"), "the query is left out");
        assertEquals(5L, proxied.get("bytes"));
        assertInstanceOf(Double.class, proxied.get("duration_ms"));
        Map<String, Object> limited = keyValues(lines.get(1));
        assertEquals(429, limited.get("status"));
        assertEquals("none", limited.get("backend"));
    }

    @Test
    void theAccessLogIsOffByDefault() throws Exception {
        try (Standalone.Running running = start("")) {
            assertEquals(200, get(running, "/"));
        }
        assertTrue(captured.list.isEmpty());
    }

    @Test
    void jsonLogLinesParseAsJsonAndCarryTheKeys() throws Exception {
        try (Standalone.Running running = start("access_log: true\n")) {
            assertEquals(200, get(running, "/x"));
        }
        JsonEncoder encoder = (JsonEncoder) encoderOf(configured("json"));
        String line = new String(encoder.encode(captured.list.get(0)), StandardCharsets.UTF_8);
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, "one line: " + line);

        Map<String, Object> json = TinyJson.object(line);
        assertEquals("INFO", json.get("level"));
        assertEquals("lb.access", json.get("loggerName"));
        Map<String, Object> pairs = new HashMap<>();
        for (Object pair : (List<?>) json.get("kvpList")) {
            ((Map<?, ?>) pair).forEach((key, value) -> pairs.put((String) key, value));
        }
        assertEquals(List.of("backend", "bytes", "client", "duration_ms", "method", "path", "status"),
                pairs.keySet().stream().sorted().toList());
        assertEquals(backendUrl(), pairs.get("backend"));
        assertEquals("200", String.valueOf(pairs.get("status")).replace(".0", ""));
    }

    @Test
    void theConsoleFormatIsTheDefaultAndShowsTheKeyValuePairs() throws Exception {
        Appender<ILoggingEvent> appender = configured("console");
        assertEquals("main", appender.getName());
        assertTrue(!(encoderOf(appender) instanceof JsonEncoder));
    }

    @Test
    void logEnvProdOrLogFormatJsonChooseJson() {
        assertEquals("console", LogFormat.of(Map.of()));
        assertEquals("json", LogFormat.of(Map.of("LOG_ENV", "prod")));
        assertEquals("console", LogFormat.of(Map.of("LOG_ENV", "dev")));
        assertEquals("json", LogFormat.of(Map.of("LOG_FORMAT", "json")));
        assertEquals("json", LogFormat.of(Map.of("LOG_FORMAT", "JSON", "LOG_ENV", "dev")));
        assertEquals("console", LogFormat.of(Map.of("LOG_FORMAT", "console", "LOG_ENV", "prod")),
                "an explicit format wins");
    }

    /** The runner's logback.xml read into a fresh context with {@code lb.log.format} set to {@code format}. */
    private static Appender<ILoggingEvent> configured(String format) throws JoranException {
        LoggerContext context = new LoggerContext();
        context.putProperty("lb.log.format", format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(StandaloneLoggingTest.class.getResource("/logback.xml"));
        Appender<ILoggingEvent> appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("main");
        assertTrue(appender != null && appender.isStarted(), "appender main for " + format);
        return appender;
    }

    private static Object encoderOf(Appender<ILoggingEvent> appender) {
        return ((OutputStreamAppender<ILoggingEvent>) appender).getEncoder();
    }
}
