package dev.lb.api;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** {@link RequestInfo#of}: immutable values, header names case-insensitive. */
final class SimpleRequestInfo implements RequestInfo {
    private final String method;
    private final String target;
    private final InetSocketAddress remoteAddress;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    SimpleRequestInfo(String method, String target, InetSocketAddress remoteAddress,
                      Map<String, List<String>> headers) {
        this.method = Objects.requireNonNull(method, "method");
        this.target = Objects.requireNonNull(target, "target");
        this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
        headers.forEach((name, values) -> this.headers.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values));
        this.headers.replaceAll((name, values) -> List.copyOf(values));
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }

    @Override
    public List<String> headers(String name) {
        return headers.getOrDefault(name, List.of());
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return method + " " + target + " from " + remoteAddress;
    }
}
