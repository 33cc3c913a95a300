package dev.lb.core.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The headers that describe one connection rather than the message (RFC 9110 section 7.6.1), which a proxy must
 * not pass on: a fixed set, plus every header the {@code Connection} header names.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = caseInsensitive(List.of("connection", "keep-alive",
            "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade"));

    private final Set<String> named;

    private HopByHop(Set<String> named) {
        this.named = named;
    }

    /** The rule for one message: the fixed set plus the tokens of its {@code Connection} headers. */
    static HopByHop of(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("connection")) {
                return naming(header.getValue());
            }
        }
        return new HopByHop(Set.of());
    }

    /** The rule for a message whose {@code Connection} headers have these values. */
    static HopByHop naming(List<String> connectionValues) {
        if (connectionValues.isEmpty()) {
            return new HopByHop(Set.of());
        }
        List<String> named = new ArrayList<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                named.add(token.strip());
            }
        }
        return new HopByHop(caseInsensitive(named));
    }

    /** Whether the {@code Connection} header says {@code close}. */
    boolean closes() {
        return named.contains("close");
    }

    /** Whether the header with this name, in any case, stays on this hop. */
    boolean drops(String name) {
        return ALWAYS.contains(name) || named.contains(name);
    }

    private static Set<String> caseInsensitive(List<String> names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(names);
        return set;
    }
}
