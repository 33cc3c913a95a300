package dev.lb.core.strategy;

import dev.lb.api.RequestInfo;
import dev.lb.core.HttpSyntax;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * What {@code consistent-hash} hashes, from its {@code hash_key} option: {@code client_address} (the default),
 * {@code header:<name>}, {@code cookie:<name>} or {@code path}. A request without the header or cookie (or with an
 * empty one) is keyed by its client address instead, so it still sticks to one backend.
 */
final class HashKey {
    static final String OPTION = "hash_key";
    static final Function<RequestInfo, String> CLIENT_ADDRESS = HashKey::clientAddress;
    private static final String EXPECTED = "client_address, path, header:<name> or cookie:<name>, "
            + "e.g. header:X-User";

    private HashKey() {
    }

    /**
     * The key function an option value names.
     *
     * @throws IllegalArgumentException naming the option, the value and the forms expected
     */
    static Function<RequestInfo, String> parse(String value) {
        String text = value.strip();
        int colon = text.indexOf(':');
        String kind = colon < 0 ? text : text.substring(0, colon);
        String name = colon < 0 ? "" : text.substring(colon + 1).strip();
        switch (kind) {
            case "client_address":
            case "path":
                if (colon < 0) {
                    return kind.equals("path") ? HashKey::path : CLIENT_ADDRESS;
                }
                break;
            case "header":
                if (HttpSyntax.isToken(name)) {
                    return request -> orClientAddress(request.header(name).orElse(""), request);
                }
                break;
            case "cookie":
                if (HttpSyntax.isToken(name)) {
                    return request -> orClientAddress(cookie(request, name), request);
                }
                break;
            default:
                break;
        }
        throw Options.invalid(OPTION, value, EXPECTED);
    }

    static String clientAddress(RequestInfo request) {
        InetSocketAddress remote = request.remoteAddress();
        InetAddress address = remote.getAddress();
        return address != null ? address.getHostAddress() : remote.getHostString();
    }

    private static String path(RequestInfo request) {
        String target = request.target();
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    private static String orClientAddress(String key, RequestInfo request) {
        return key.isEmpty() ? clientAddress(request) : key;
    }

    /** The value of the first cookie called {@code name} in any {@code Cookie} line, or "" when there is none. */
    private static String cookie(RequestInfo request, String name) {
        for (String line : request.headers("Cookie")) {
            for (String pair : line.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equals(name)) {
                    return pair.substring(equals + 1).strip();
                }
            }
        }
        return "";
    }
}
