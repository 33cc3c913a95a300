package dev.lb.httpserver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of live threads, virtual ones included: {@code Thread.getAllStackTraces()} omits virtual threads, so on
 * Java 21+ this also reads a JSON thread dump, which lists the threads of every thread-per-task executor.
 */
final class LiveThreads {
    private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");

    private LiveThreads() {
    }

    static List<String> named(String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix)) {
                names.add(thread.getName());
            }
        }
        for (String name : dumpedNames()) {
            if (name.startsWith(prefix) && !names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    // Reflection throughout: test code is compiled into this module, which does not read java.management.
    private static List<String> dumpedNames() throws Exception {
        Class<?> formatType;
        try {
            formatType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        } catch (ClassNotFoundException e) {
            return List.of(); // Java 17-20: no virtual threads to find.
        }
        Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Object bean = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
        Path file = Files.createTempDirectory("threads").resolve("dump.json");
        Object json = formatType.getField("JSON").get(null);
        beanType.getMethod("dumpThreads", String.class, formatType).invoke(bean, file.toString(), json);
        String dump = Files.readString(file, StandardCharsets.UTF_8);
        Files.delete(file);
        Files.delete(file.getParent());
        List<String> names = new ArrayList<>();
        Matcher matcher = NAME.matcher(dump);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
