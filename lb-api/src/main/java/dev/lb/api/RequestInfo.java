package dev.lb.api;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a strategy may know about the request it routes. Views are valid only during the call they are passed to.
 */
public interface RequestInfo {
    /** The request method as the client sent it, e.g. {@code GET}; any token, not only the standard ones. */
    String method();

    /** The request target as received: raw path plus {@code ?query} when present, never decoded. */
    String target();

    /** The first value of a request header; names are case-insensitive. */
    Optional<String> header(String name);

    /**
     * Every value of a request header, one element per header line, in the order received; names are
     * case-insensitive. A header a proxy appends to, such as {@code X-Forwarded-For}, may arrive as several lines,
     * and its last line matters most. The default returns the first value only; hosts override it.
     */
    default List<String> headers(String name) {
        return header(name).map(List::of).orElse(List.of());
    }

    /** The address of the connection's peer (the client, or the proxy in front of us). */
    InetSocketAddress remoteAddress();

    /**
     * A request view built from values, for testing a strategy or a key function without a server.
     *
     * @param headers header values by name, each list in the order received; names compared case-insensitively
     */
    static RequestInfo of(String method, String target, InetSocketAddress remoteAddress,
                          Map<String, List<String>> headers) {
        return new SimpleRequestInfo(method, target, remoteAddress, headers);
    }
}
