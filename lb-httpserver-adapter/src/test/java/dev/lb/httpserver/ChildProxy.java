package dev.lb.httpserver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link ProxyMain} in a JVM of its own, for settings that are per JVM: heap size, or the JDK server's system
 * properties, which it reads once.
 */
final class ChildProxy implements AutoCloseable {
    private final Process process;
    private final int port;

    private ChildProxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a proxy for {@code backendUrl} in a JVM with {@code jvmOptions}; returns once it listens. */
    static ChildProxy start(String backendUrl, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        // Surefire may put only a manifest-only booter jar on java.class.path; this property holds the real one.
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path")), ProxyMain.class.getName(), backendUrl));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new AssertionError("the proxy JVM did not start: " + line);
        }
        return new ChildProxy(process, Integer.parseInt(line.substring("PORT ".length())));
    }

    int port() {
        return port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
