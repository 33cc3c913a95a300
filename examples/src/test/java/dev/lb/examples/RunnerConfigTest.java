package dev.lb.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lb.api.Backend;
import dev.lb.core.HealthCheck;
import dev.lb.core.PassiveHealth;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RunnerConfigTest {
    private static final String BACKENDS = "backends:\n  - \"http://localhost:9001\"\n  - \"http://localhost:9002\"\n";

    private static RunnerConfig parse(String yaml) {
        return RunnerConfig.parse(yaml, Map.of());
    }

    private static String error(String yaml) {
        return error(yaml, Map.of());
    }

    private static String error(String yaml, Map<String, String> env) {
        String message = assertThrows(IllegalArgumentException.class, () -> RunnerConfig.parse(yaml, env))
                .getMessage();
        assertFalse(message.contains("\n"), () -> "one line: " + message);
        return message;
    }

    @Test
    void readsTheGoOriginalsConfigUnchanged() {
        RunnerConfig config = parse("lb_port: \":3332\"\nstrategy: \"round-robin\"\n" + BACKENDS);

        assertEquals(new InetSocketAddress(3332), config.listenAddress());
        assertEquals("round-robin", config.strategy());
        assertEquals(List.of(Backend.of("http://localhost:9001"), Backend.of("http://localhost:9002")),
                config.backends());
        assertEquals(List.of(), config.unknownKeys());
    }

    @Test
    void everythingButBackendsHasADefault() {
        RunnerConfig config = parse(BACKENDS);

        assertEquals(new InetSocketAddress(3332), config.listenAddress());
        assertEquals("round-robin", config.strategy());
        assertEquals(Duration.ofSeconds(10), config.shutdownGrace());
        assertEquals(Duration.ofSeconds(2), config.connectTimeout());
        assertEquals(Duration.ofSeconds(30), config.responseTimeout());
        assertEquals(RunnerConfig.HealthCheckSettings.DEFAULTS, config.healthCheck());
        assertEquals(RunnerConfig.PassiveSettings.DEFAULTS, config.passive());
        assertFalse(config.panicMode());
        assertEquals(Duration.ofSeconds(30), config.drainTimeout());
    }

    @Test
    void healthChecksAreOnByDefaultLikeTheGoOriginal() {
        RunnerConfig.HealthCheckSettings active = RunnerConfig.HealthCheckSettings.DEFAULTS;
        RunnerConfig.PassiveSettings passive = RunnerConfig.PassiveSettings.DEFAULTS;

        assertEquals(new RunnerConfig.HealthCheckSettings(true, Optional.empty(), Duration.ofSeconds(5),
                Duration.ofSeconds(2), 2, 3, 200, 399, false), active);
        assertEquals(new RunnerConfig.PassiveSettings(true, 5, Duration.ofSeconds(30), Duration.ofSeconds(300), 50,
                false), passive);
    }

    @Test
    void theRunnersDefaultsAreTheLibrarysDefaults() {
        HealthCheck library = HealthCheck.builder().build();
        RunnerConfig.HealthCheckSettings runner = RunnerConfig.HealthCheckSettings.DEFAULTS;
        assertEquals(Optional.ofNullable(library.path()), runner.path());
        assertEquals(library.interval(), runner.interval());
        assertEquals(library.timeout(), runner.timeout());
        assertEquals(library.rise(), runner.rise());
        assertEquals(library.fall(), runner.fall());
        assertEquals(library.waitForFirstRound(), runner.waitForFirstRound());
        assertTrue(library.healthy(runner.minHealthyStatus()) && library.healthy(runner.maxHealthyStatus()));
        assertFalse(library.healthy(runner.minHealthyStatus() - 1) || library.healthy(runner.maxHealthyStatus() + 1));

        PassiveHealth libraryPassive = PassiveHealth.builder().build();
        assertEquals(new RunnerConfig.PassiveSettings(libraryPassive.enabled(), libraryPassive.consecutiveFailures(),
                libraryPassive.baseEjection(), libraryPassive.maxEjection(), libraryPassive.maxEjectedPercent(),
                libraryPassive.ejectOn5xx()), RunnerConfig.PassiveSettings.DEFAULTS);
    }

    @Test
    void healthCheckBlockSetsEveryKey() {
        RunnerConfig config = parse("health_check:\n  enabled: false\n  path: /health?deep=1\n  interval: 500ms\n"
                + "  timeout: 1s\n  rise: 4\n  fall: 1\n  healthy_statuses: \"200-299\"\n"
                + "  wait_for_first_round: true\n" + BACKENDS);

        assertEquals(new RunnerConfig.HealthCheckSettings(false, Optional.of("/health?deep=1"), Duration.ofMillis(500),
                Duration.ofSeconds(1), 4, 1, 200, 299, true), config.healthCheck());
        assertEquals(List.of(), config.unknownKeys());
    }

    @Test
    void healthCheckKeysLeftOutKeepTheirDefaults() {
        RunnerConfig config = parse("health_check:\n  path: /health\n" + BACKENDS);

        assertEquals(new RunnerConfig.HealthCheckSettings(true, Optional.of("/health"), Duration.ofSeconds(5),
                Duration.ofSeconds(2), 2, 3, 200, 399, false), config.healthCheck());
        assertEquals(RunnerConfig.HealthCheckSettings.DEFAULTS, parse("health_check:\n" + BACKENDS).healthCheck());
        assertEquals(RunnerConfig.HealthCheckSettings.DEFAULTS, parse("health_check: {}\n" + BACKENDS).healthCheck());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "\"200-399\"   | 200 | 399",
            "200-299       | 200 | 299",
            "\"200 - 204\" | 200 | 204",
            "\"204\"       | 204 | 204",
            "200           | 200 | 200",
            "\"100-599\"   | 100 | 599",
    })
    void healthyStatusesIsARangeOrOneStatus(String yaml, int min, int max) {
        RunnerConfig.HealthCheckSettings active =
                parse("health_check:\n  healthy_statuses: " + yaml + "\n" + BACKENDS).healthCheck();

        assertEquals(min, active.minHealthyStatus());
        assertEquals(max, active.maxHealthyStatus());
    }

    @Test
    void passiveBlockSetsEveryKey() {
        RunnerConfig config = parse("passive:\n  enabled: false\n  consecutive_failures: 2\n  base_ejection: 10s\n"
                + "  max_ejection: 1m\n  max_ejected_percent: 100\n  eject_on_5xx: true\n" + BACKENDS);

        assertEquals(new RunnerConfig.PassiveSettings(false, 2, Duration.ofSeconds(10), Duration.ofMinutes(1), 100,
                true), config.passive());
        assertEquals(List.of(), config.unknownKeys());
    }

    @Test
    void passiveKeysLeftOutKeepTheirDefaults() {
        assertEquals(new RunnerConfig.PassiveSettings(true, 3, Duration.ofSeconds(30), Duration.ofSeconds(300), 50,
                false), parse("passive:\n  consecutive_failures: 3\n" + BACKENDS).passive());
        assertEquals(RunnerConfig.PassiveSettings.DEFAULTS, parse("passive:\n" + BACKENDS).passive());
        assertEquals(0, parse("passive: {max_ejected_percent: 0}\n" + BACKENDS).passive().maxEjectedPercent());
        assertEquals(Duration.ofSeconds(30), parse("passive: {max_ejection: 30s}\n" + BACKENDS).passive()
                .maxEjection());
    }

    @Test
    void panicModeAndDrainTimeoutAreRead() {
        RunnerConfig config = parse("panic_mode: true\ndrain_timeout: 1m\n" + BACKENDS);

        assertTrue(config.panicMode());
        assertEquals(Duration.ofMinutes(1), config.drainTimeout());
    }

    @Test
    void backendsFromTheEnvironmentGetTheDefaultHealthChecks() {
        RunnerConfig config = RunnerConfig.ofBackends("http://127.0.0.1:19001", Map.of());

        assertEquals(RunnerConfig.HealthCheckSettings.DEFAULTS, config.healthCheck());
        assertEquals(RunnerConfig.PassiveSettings.DEFAULTS, config.passive());
        assertFalse(config.panicMode());
        assertEquals(Duration.ofSeconds(30), config.drainTimeout());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'\":3332\"'           | ''          | 3332",
            "'3332'                | ''          | 3332",
            "'\"3332\"'            | ''          | 3332",
            "'\"127.0.0.1:3332\"'  | 127.0.0.1   | 3332",
            "'\"localhost:3332\"'  | localhost   | 3332",
            "'\"[::1]:3332\"'      | ::1         | 3332",
            "'\":0\"'              | ''          | 0",
            "'\"127.0.0.1:0\"'     | 127.0.0.1   | 0",
    })
    void lbPortAcceptsEveryFormat(String lbPort, String host, int port) throws Exception {
        RunnerConfig config = parse("lb_port: " + lbPort + "\n" + BACKENDS);

        InetSocketAddress expected = host.isEmpty() ? new InetSocketAddress(port)
                : new InetSocketAddress(InetAddress.getByName(host), port);
        assertEquals(expected, config.listenAddress());
    }

    @Test
    void lbPortFromTheEnvironmentOverridesTheFile() {
        RunnerConfig config = RunnerConfig.parse("lb_port: \":3332\"\n" + BACKENDS, Map.of("LB_PORT", "127.0.0.1:4000"));

        assertEquals(new InetSocketAddress("127.0.0.1", 4000), config.listenAddress());
        assertEquals(new InetSocketAddress(4000),
                RunnerConfig.parse(BACKENDS, Map.of("LB_PORT", "4000")).listenAddress());
        assertEquals(new InetSocketAddress(4000),
                RunnerConfig.parse(BACKENDS, Map.of("LB_PORT", ":4000")).listenAddress());
    }

    @Test
    void backendIsAUrlOrAUrlWithAWeight() {
        RunnerConfig config = parse("backends:\n  - http://a:8080\n  - {url: \"http://b:8080\", weight: 3}\n"
                + "  - url: http://c:8080\n");

        assertEquals(List.of("http://a:8080", "http://b:8080", "http://c:8080"),
                config.backends().stream().map(Backend::url).toList());
        assertEquals(List.of(1, 3, 1), config.backends().stream().map(Backend::weight).toList());
    }

    @Test
    void durationsTakeAUnit() {
        RunnerConfig config = parse("shutdown_grace: 1m30s\nconnect_timeout: 500ms\nresponse_timeout: \"1h\"\n"
                + BACKENDS);

        assertEquals(Duration.ofSeconds(90), config.shutdownGrace());
        assertEquals(Duration.ofMillis(500), config.connectTimeout());
        assertEquals(Duration.ofHours(1), config.responseTimeout());
        assertEquals(Duration.ZERO, parse("shutdown_grace: 0s\n" + BACKENDS).shutdownGrace());
    }

    @Test
    void strategyNamesAreTheLibrarysIncludingTheGoOriginalsAndPlugins() {
        assertEquals("least-connection", parse("strategy: least-connection\n" + BACKENDS).strategy());
        assertEquals("least-connections", parse("strategy: least-connections\n" + BACKENDS).strategy());
        assertEquals("failover", parse("strategy: failover\n" + BACKENDS).strategy());
    }

    @Test
    void unknownKeysAreReportedNotFatal() {
        RunnerConfig config = parse("lb_prot: 1\n" + BACKENDS + "  - {url: \"http://c\", wieght: 2}\nlog_env: prod\n");

        assertEquals(List.of("lb_prot", "log_env", "backends[2].wieght"), config.unknownKeys());
        assertEquals(3, config.backends().size());
    }

    @Test
    void unknownKeysInsideBlocksAreReportedWithTheirBlock() {
        RunnerConfig config = parse("health_check:\n  intervall: 1s\n  path: /health\npassive:\n"
                + "  consecutive_failure: 2\n" + BACKENDS);

        assertEquals(List.of("health_check.intervall", "passive.consecutive_failure"), config.unknownKeys());
        assertEquals(Duration.ofSeconds(5), config.healthCheck().interval());
        assertEquals(5, config.passive().consecutiveFailures());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "lb_port: 99999    | lb_port: 99999 (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)",
            "lb_port: \"abc\"  | lb_port: \"abc\" (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)",
            "lb_port: \":\"    | lb_port: \":\" (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)",
            "lb_port: [1]      | lb_port: a list (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)",
            "lb_port:          | lb_port: none (expected: a port from 0 to 65535 such as \":3332\", \"127.0.0.1:3332\" or 3332)",
            "strategy: 5       | strategy: 5 (expected: a strategy name such as round-robin or least-connections)",
            "strategy: \"\"    | strategy: \"\" (expected: a strategy name such as round-robin or least-connections)",
            "shutdown_grace: 10          | shutdown_grace: 10 (expected: a duration such as 10s, 500ms, 1m or 1m30s)",
            "shutdown_grace: ten         | shutdown_grace: \"ten\" (expected: a duration such as 10s, 500ms, 1m or 1m30s)",
            "shutdown_grace: 1.5s        | shutdown_grace: \"1.5s\" (expected: a duration such as 10s, 500ms, 1m or 1m30s)",
            "shutdown_grace: -1s         | shutdown_grace: \"-1s\" (expected: a duration such as 10s, 500ms, 1m or 1m30s)",
            "connect_timeout: 0s         | connect_timeout: \"0s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "response_timeout: 10 s      | response_timeout: \"10 s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "response_timeout: 999999999999999999h | response_timeout: \"999999999999999999h\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "panic_mode: yes             | panic_mode: \"yes\" (expected: true or false)",
            "panic_mode:                 | panic_mode: none (expected: true or false)",
            "drain_timeout: 0s           | drain_timeout: \"0s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "drain_timeout: 30           | drain_timeout: 30 (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
    })
    void invalidValueFailsWithOneLineNamingTheKey(String line, String expected) {
        assertEquals(expected, error(line + "\n" + BACKENDS));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "health_check: true         | health_check: true (expected: a mapping of enabled, fall, healthy_statuses, interval, path, rise, timeout, wait_for_first_round)",
            "health_check: [a]          | health_check: a list (expected: a mapping of enabled, fall, healthy_statuses, interval, path, rise, timeout, wait_for_first_round)",
            "health_check: {enabled: 1} | health_check.enabled: 1 (expected: true or false)",
            "health_check: {enabled: }  | health_check.enabled: none (expected: true or false)",
            "health_check: {path: health}     | health_check.path: \"health\" (expected: a path starting with /, such as /health)",
            "health_check: {path: }           | health_check.path: none (expected: a path starting with /, such as /health)",
            "health_check: {path: 5}          | health_check.path: 5 (expected: a path starting with /, such as /health)",
            "health_check: {path: \"/a b\"}   | health_check.path: \"/a b\" is not a valid URL path (expected: a path starting with /, such as /health)",
            "health_check: {path: \"/a#b\"}   | health_check.path: \"/a#b\" is not a valid URL path (expected: a path starting with /, such as /health)",
            "health_check: {interval: 0s}     | health_check.interval: \"0s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "health_check: {interval: 5}      | health_check.interval: 5 (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "health_check: {timeout: 2 s}     | health_check.timeout: \"2 s\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "health_check: {rise: 0}          | health_check.rise: 0 (expected: an integer >= 1)",
            "health_check: {rise: two}        | health_check.rise: \"two\" (expected: an integer >= 1)",
            "health_check: {fall: -1}         | health_check.fall: -1 (expected: an integer >= 1)",
            "health_check: {fall: 1.5}        | health_check.fall: 1.5 (expected: an integer >= 1)",
            "health_check: {fall: 9999999999} | health_check.fall: 9999999999 (expected: an integer >= 1)",
            "health_check: {healthy_statuses: \"399-200\"} | health_check.healthy_statuses: \"399-200\" (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)",
            "health_check: {healthy_statuses: \"200-600\"} | health_check.healthy_statuses: \"200-600\" (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)",
            "health_check: {healthy_statuses: \"2xx\"}     | health_check.healthy_statuses: \"2xx\" (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)",
            "health_check: {healthy_statuses: 99}          | health_check.healthy_statuses: 99 (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)",
            "health_check: {healthy_statuses: }            | health_check.healthy_statuses: none (expected: a range of statuses within 100-599, low to high, such as \"200-399\", or one status)",
            "health_check: {wait_for_first_round: no}      | health_check.wait_for_first_round: \"no\" (expected: true or false)",
            "passive: off                          | passive: \"off\" (expected: a mapping of base_ejection, consecutive_failures, eject_on_5xx, enabled, max_ejected_percent, max_ejection)",
            "passive: {enabled: \"true\"}          | passive.enabled: \"true\" (expected: true or false)",
            "passive: {consecutive_failures: 0}    | passive.consecutive_failures: 0 (expected: an integer >= 1)",
            "passive: {base_ejection: 0ms}         | passive.base_ejection: \"0ms\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "passive: {max_ejection: forever}      | passive.max_ejection: \"forever\" (expected: a duration > 0 such as 2s, 500ms, 1m or 1m30s)",
            "passive: {max_ejected_percent: 101}   | passive.max_ejected_percent: 101 (expected: an integer from 0 to 100)",
            "passive: {max_ejected_percent: -1}    | passive.max_ejected_percent: -1 (expected: an integer from 0 to 100)",
            "passive: {max_ejected_percent: 50%}   | passive.max_ejected_percent: \"50%\" (expected: an integer from 0 to 100)",
            "passive: {eject_on_5xx: 1}            | passive.eject_on_5xx: 1 (expected: true or false)",
            "passive: {max_ejection: 10s}          | passive.max_ejection: \"10s\" (expected: at least passive.base_ejection, 30s)",
            "passive: {base_ejection: 1m, max_ejection: 1500ms} | passive.max_ejection: \"1500ms\" (expected: at least passive.base_ejection, 60s)",
            "passive: {base_ejection: 10m}         | passive.base_ejection: \"10m\" (expected: at most passive.max_ejection, 300s)",
    })
    void invalidHealthSettingFailsWithOneLineNamingBlockAndKey(String yaml, String expected) {
        assertEquals(expected, error(yaml + "\n" + BACKENDS));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "backends: []                               | backends: none (expected: at least one backend)",
            "backends:                                  | backends: none (expected: at least one backend)",
            "lb_port: 1                                 | backends: none (expected: at least one backend)",
            "backends: http://a                         | backends: \"http://a\" (expected: a list of URLs)",
            "backends: [{url: \"http://a\", weight: 0}] | backend weight: 0 for http://a (expected: >= 1)",
            "backends: [{url: \"http://a\", weight: x}] | backend weight: \"x\" for http://a (expected: an integer from 1 to 2147483647)",
            "backends: [{weight: 2}]                    | backends[0].url: none (expected: an absolute http:// or https:// URL)",
            "backends: [http://a, 7]                    | backends[1]: 7 (expected: a URL, or {url: \"http://...\", weight: 1})",
            "- a                                        | config: a list (expected: a mapping with lb_port, strategy and backends)",
            "just text                                  | config: \"just text\" (expected: a mapping with lb_port, strategy and backends)",
    })
    void invalidBackendsFailWithOneLine(String yaml, String expected) {
        assertEquals(expected, error(yaml));
    }

    @Test
    void invalidUrlsAndDuplicatesFailWithTheLibrarysMessage() {
        assertTrue(error("backends: [\"ftp://a\"]").startsWith("backend url: \"ftp://a\" has scheme ftp"));
        assertTrue(error("backends: [\"localhost:9001\"]").startsWith("backend url: \"localhost:9001\""));
        assertTrue(error("backends: [\"http://a\", \"http://A:80/\"]").startsWith("backend url: http://A:80"));
    }

    @Test
    void unknownStrategyListsTheKnownOnes() {
        String message = error("strategy: randomly\n" + BACKENDS);

        assertTrue(message.startsWith("strategy: \"randomly\" is unknown (expected one of: "), message);
        assertTrue(message.contains("failover") && message.contains("round-robin"), message);
    }

    @Test
    void invalidLbPortFromTheEnvironmentNamesTheVariable() {
        assertTrue(error(BACKENDS, Map.of("LB_PORT", "x")).startsWith("LB_PORT: \"x\" (expected: a port"));
    }

    @Test
    void yamlSyntaxErrorIsOneLineWithItsPosition() {
        assertEquals("YAML syntax error at line 2, column 12: mapping values are not allowed here",
                error("lb_port: 1\nbackends: a: b\n"));
        assertEquals("YAML syntax error at line 2, column 1: found duplicate key lb_port",
                error("lb_port: 1\nlb_port: 2\n" + BACKENDS));
    }

    @Test
    void backendsFromACommaSeparatedListListenOnLbPortElsePort() {
        RunnerConfig config = RunnerConfig.ofBackends("http://127.0.0.1:19001, http://127.0.0.1:19002",
                Map.of("PORT", "18090"));

        assertEquals(List.of(Backend.of("http://127.0.0.1:19001"), Backend.of("http://127.0.0.1:19002")),
                config.backends());
        assertEquals(new InetSocketAddress(18090), config.listenAddress());
        assertEquals("round-robin", config.strategy());
        assertEquals(new InetSocketAddress(4000),
                RunnerConfig.ofBackends("http://a", Map.of("PORT", "18090", "LB_PORT", "4000")).listenAddress());
        assertEquals(new InetSocketAddress(3332), RunnerConfig.ofBackends("http://a", Map.of()).listenAddress());
    }

    @Test
    void backendsFromTheEnvironmentAreChecked() {
        assertEquals("backends: none (expected: at least one backend)",
                assertThrows(IllegalArgumentException.class, () -> RunnerConfig.ofBackends(" , ", Map.of()))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RunnerConfig.ofBackends("http://a", Map.of("PORT", "http"))).getMessage()
                .startsWith("PORT: \"http\""));
    }
}
