package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The runner's observability keys: metrics_path, status_path, admin_port and access_log. */
class RunnerConfigObservabilityTest {
    private static final String BACKENDS = "backends:\n  - \"http://localhost:9001\"\n";

    private static RunnerConfig.ObservabilitySettings parse(String yaml) {
        return RunnerConfig.parse(yaml + BACKENDS, Map.of()).observability();
    }

    private static String error(String yaml) {
        String message = assertThrows(IllegalArgumentException.class, () -> RunnerConfig.parse(yaml + BACKENDS,
                Map.of())).getMessage();
        assertTrue(message.lines().count() == 1, message);
        return message;
    }

    @Test
    void metricsAndStatusAreOnTheLoadBalancersPortWithoutAccessLogByDefault() {
        assertEquals(new RunnerConfig.ObservabilitySettings("/metrics", "/status", Optional.empty(), false),
                parse(""));
        assertEquals(RunnerConfig.ObservabilitySettings.DEFAULTS,
                RunnerConfig.ofBackends("http://localhost:9001", Map.of()).observability());
    }

    @Test
    void everyKeyIsRead() {
        RunnerConfig.ObservabilitySettings settings = parse("metrics_path: /_lb/metrics\nstatus_path: /_lb/status\n"
                + "admin_port: \"127.0.0.1:9090\"\naccess_log: true\n");
        assertEquals("/_lb/metrics", settings.metricsPath());
        assertEquals("/_lb/status", settings.statusPath());
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9090)), settings.adminAddress());
        assertTrue(settings.accessLog());
        assertEquals(List.of(), RunnerConfig.parse("access_log: true\n" + BACKENDS, Map.of()).unknownKeys());
    }

    @ParameterizedTest
    @CsvSource({"'\":9090\"', 9090", "9090, 9090", "'\"[::1]:9090\"', 9090", "'\"127.0.0.1:0\"', 0"})
    void adminPortTakesTheFormatsOfLbPort(String adminPort, int port) {
        assertEquals(port, parse("admin_port: " + adminPort + "\n").adminAddress().orElseThrow().getPort());
    }

    @Test
    void badValuesFailWithOneLineNamingTheKey() {
        assertEquals("metrics_path: \"metrics\" (expected: a path starting with / such as /metrics, without ? or #)",
                error("metrics_path: metrics\n"));
        assertEquals("status_path: \"/s?x=1\" (expected: a path starting with / such as /metrics, without ? or #)",
                error("status_path: \"/s?x=1\"\n"));
        assertEquals("metrics_path: \"/\" (expected: a path starting with / such as /metrics, without ? or #)",
                error("metrics_path: /\n"));
        assertEquals("status_path: \"/metrics\" (expected: a path other than metrics_path's)",
                error("status_path: /metrics\n"));
        assertEquals("admin_port: 70000 (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" "
                + "or 3332)", error("admin_port: 70000\n"));
        assertEquals("admin_port: \":3332\" (expected: a port other than the load balancer's, 3332)",
                error("admin_port: \":3332\"\n"));
        assertEquals("access_log: \"yes please\" (expected: true or false)", error("access_log: yes please\n"));
    }
}
