package dev.lb.core.proxy;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The headers that describe one connection rather than the message (RFC 9110 section 7.6.1), which a proxy must
 * not pass on: a fixed set, plus every header the {@code Connection} header names.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

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
        Set<String> named = new HashSet<>();
        for (String value : connectionValues) {
            for (String token : value.split(",")) {
                named.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return new HopByHop(named);
    }

    /** Whether the {@code Connection} header says {@code close}. */
    boolean closes() {
        return named.contains("close");
    }

    /** Whether the header with this lower-case name stays on this hop. */
    boolean drops(String lowerCaseName) {
        return ALWAYS.contains(lowerCaseName) || named.contains(lowerCaseName);
    }
}
