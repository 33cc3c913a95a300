package dev.lb.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of live threads, virtual ones included: {@code Thread.getAllStackTraces()} omits virtual threads, so on
 * Java 21+ this also reads a JSON thread dump (by reflection: the dump API is not in Java 17).
 */
final class LiveThreads {
    private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");

    private LiveThreads() {
    }

    static List<String> named(String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().forEach(thread -> names.add(thread.getName()));
        names.addAll(dumpedNames());
        return names.stream().filter(name -> name.startsWith(prefix)).distinct().toList();
    }

    private static List<String> dumpedNames() throws Exception {
        Class<?> formatType;
        try {
            formatType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
        } catch (ClassNotFoundException e) {
            return List.of();
        }
        Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Object bean = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
        Path file = Files.createTempDirectory("threads").resolve("dump.json");
        beanType.getMethod("dumpThreads", String.class, formatType)
                .invoke(bean, file.toString(), formatType.getField("JSON").get(null));
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
