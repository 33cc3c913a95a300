package dev.lb.core.ratelimit;

import dev.lb.api.RequestInfo;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells which client a request comes from, as the key of its rate-limit bucket.
 *
 * <ul>
 *   <li>By default the key is the address of the connection's peer: an IPv4 address in full ({@code 192.0.2.7}),
 *       an IPv6 address by its first 64 bits ({@code 2001:db8:1:2::/64}), since one host commonly holds a whole
 *       /64 and could otherwise rotate through addresses; see {@link #withIpv6Prefix}.</li>
 *   <li>Behind proxies ({@link #withTrustedProxies}): only when the peer is a trusted proxy, the client is the
 *       right-most address in {@code X-Forwarded-For} (or {@code Forwarded}, {@link #withForwardedHeader}) that is
 *       not itself a trusted proxy. Each trusted proxy appends the address it received from, so that entry was
 *       written by a proxy we trust; entries to its left were written by the client and are never used. Headers
 *       from an untrusted peer are ignored, so a client cannot choose its own key. When the entry is not an address
 *       ({@code unknown}, an obfuscated name) the nearest trusted proxy stands for the client; when every entry is
 *       trusted, the left-most one is the client.</li>
 *   <li>A key function ({@link #withKeyFunction}) takes precedence when it returns a key, e.g. an API key or the
 *       authenticated user; when it returns none the address is the key.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return a copy. Address literals are parsed without any
 * name lookup.
 */
public final class ClientKeys {
    /** The IPv6 prefix length clients are keyed by unless told otherwise. */
    public static final int DEFAULT_IPV6_PREFIX = 64;
    private static final Logger log = LoggerFactory.getLogger(ClientKeys.class);
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String FORWARDED = "Forwarded";

    private final List<Cidr> trustedProxies;
    private final String forwardedHeader;
    private final int ipv6Prefix;
    private final Function<RequestInfo, Optional<String>> keyFunction;
    private final AtomicBoolean keyFunctionFailureLogged = new AtomicBoolean();

    private ClientKeys(List<Cidr> trustedProxies, String forwardedHeader, int ipv6Prefix,
                       Function<RequestInfo, Optional<String>> keyFunction) {
        this.trustedProxies = trustedProxies;
        this.forwardedHeader = forwardedHeader;
        this.ipv6Prefix = ipv6Prefix;
        this.keyFunction = keyFunction;
    }

    /** Keys by the peer address, IPv6 by /64, trusting no proxy and no header. */
    public static ClientKeys peerAddress() {
        return new ClientKeys(List.of(), X_FORWARDED_FOR, DEFAULT_IPV6_PREFIX, null);
    }

    /**
     * Trusts these proxies to report the client's address; replaces any set before. An empty list trusts none.
     *
     * @param cidrs addresses ({@code 10.0.0.5}, {@code ::1}) or CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8})
     * @throws IllegalArgumentException naming the first invalid entry, e.g.
     *                                  {@code trustedProxies: "10.0.0.0/33" (expected: a prefix length from 0 to 32 for IPv4)}
     */
    public ClientKeys withTrustedProxies(List<String> cidrs) {
        Objects.requireNonNull(cidrs, "trustedProxies");
        List<Cidr> parsed = new ArrayList<>(cidrs.size());
        for (String cidr : cidrs) {
            parsed.add(Cidr.parse("trustedProxies", Objects.requireNonNull(cidr, "trustedProxies").strip()));
        }
        return new ClientKeys(List.copyOf(parsed), forwardedHeader, ipv6Prefix, keyFunction);
    }

    /**
     * Which header trusted proxies report the client in: {@code X-Forwarded-For} (the default) or RFC 7239's
     * {@code Forwarded} ({@code for=} parameters; quotes, ports and bracketed IPv6 handled). Only one is read, so
     * a client cannot slip a forged address into the header your proxies do not rewrite.
     *
     * @throws IllegalArgumentException for any other name
     */
    public ClientKeys withForwardedHeader(String name) {
        Objects.requireNonNull(name, "forwardedHeader");
        String header = name.equalsIgnoreCase(X_FORWARDED_FOR) ? X_FORWARDED_FOR
                : name.equalsIgnoreCase(FORWARDED) ? FORWARDED : null;
        if (header == null) {
            throw new IllegalArgumentException("forwardedHeader: \"" + name + "\" (expected: " + X_FORWARDED_FOR
                    + " or " + FORWARDED + ")");
        }
        return new ClientKeys(trustedProxies, header, ipv6Prefix, keyFunction);
    }

    /**
     * How many leading bits of an IPv6 address identify a client; default 64. 128 keys each address apart.
     * IPv4 clients are always keyed by the whole address.
     *
     * @throws IllegalArgumentException unless {@code 1 <= bits <= 128}
     */
    public ClientKeys withIpv6Prefix(int bits) {
        if (bits < 1 || bits > 128) {
            throw new IllegalArgumentException("ipv6Prefix: " + bits + " (expected: from 1 to 128)");
        }
        return new ClientKeys(trustedProxies, forwardedHeader, bits, keyFunction);
    }

    /**
     * Keys requests by this function when it returns a key, e.g.
     * {@code request -> request.header("X-Api-Key").map(key -> "api:" + key)}; when it returns none the address is
     * the key. The keys share one table with address keys, so give yours a prefix no address has, and keep them
     * short: the table holds up to its maximum number of keys whatever their length. The function must be fast
     * and must not block; if it throws, the failure is logged once and the address is the key.
     */
    public ClientKeys withKeyFunction(Function<RequestInfo, Optional<String>> function) {
        return new ClientKeys(trustedProxies, forwardedHeader, ipv6Prefix, Objects.requireNonNull(function, "key"));
    }

    /** The client key of a request. */
    public String key(RequestInfo request) {
        Objects.requireNonNull(request, "request");
        if (keyFunction != null) {
            String custom = customKey(request);
            if (custom != null) {
                return custom;
            }
        }
        InetSocketAddress remote = request.remoteAddress();
        InetAddress peer = remote.getAddress();
        if (peer == null) {
            return remote.getHostString();
        }
        return addressKey(trustedProxies.isEmpty() || !trusted(peer) ? peer : forwardedClient(request, peer));
    }

    private String customKey(RequestInfo request) {
        try {
            Optional<String> key = keyFunction.apply(request);
            return key == null ? null : key.orElse(null);
        } catch (RuntimeException e) {
            if (keyFunctionFailureLogged.compareAndSet(false, true)) {
                log.atError().setMessage("rate-limit key function failed; keying by address, further failures "
                        + "logged at debug").setCause(e).log();
            } else {
                log.atDebug().setMessage("rate-limit key function failed").addKeyValue("problem", e).log();
            }
            return null;
        }
    }

    /** The key of a client address: IPv4 whole, IPv6 by its prefix. */
    public String addressKey(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet6Address v6) {
            if (ipv6Prefix == 128) {
                return IpAddresses.toText(v6);
            }
            byte[] prefix = IpAddresses.mask(v6.getAddress(), ipv6Prefix);
            return IpAddresses.toText((Inet6Address) IpAddresses.fromBytes(prefix)) + "/" + ipv6Prefix;
        }
        return address.getHostAddress();
    }

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Walks the forwarding header right to left from a trusted peer; see the class description. */
    private InetAddress forwardedClient(RequestInfo request, InetAddress peer) {
        List<String> nodes = new ArrayList<>();
        for (String line : request.headers(forwardedHeader)) {
            if (forwardedHeader.equals(FORWARDED)) {
                forwardedFor(line, nodes);
            } else {
                for (String node : line.split(",", -1)) {
                    if (!node.isBlank()) {
                        nodes.add(node.strip());
                    }
                }
            }
        }
        InetAddress client = peer;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            InetAddress address = IpAddresses.parseNode(nodes.get(i));
            if (address == null) {
                return client;
            }
            client = address;
            if (!trusted(address)) {
                return address;
            }
        }
        return client;
    }

    /**
     * Adds the {@code for=} value of each element of an RFC 7239 {@code Forwarded} line, unquoted; an element
     * without one adds "". Commas and semicolons inside quoted strings do not split.
     */
    static void forwardedFor(String line, List<String> nodes) {
        for (String element : splitOutsideQuotes(line, ',')) {
            if (element.isBlank()) {
                continue;
            }
            String node = "";
            for (String pair : splitOutsideQuotes(element, ';')) {
                int equals = pair.indexOf('=');
                if (equals > 0 && pair.substring(0, equals).strip().equalsIgnoreCase("for")) {
                    node = unquote(pair.substring(equals + 1).strip());
                }
            }
            nodes.add(node);
        }
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            return value;
        }
        StringBuilder text = new StringBuilder(value.length());
        for (int i = 1; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() - 1) {
                c = value.charAt(++i);
            }
            text.append(c);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "ClientKeys[trustedProxies=" + trustedProxies + ", forwardedHeader=" + forwardedHeader
                + ", ipv6Prefix=" + ipv6Prefix + (keyFunction == null ? "" : ", keyFunction") + "]";
    }

    /** The trusted proxies as given, normalized, e.g. {@code [10.0.0.0/8, ::1]}. */
    public List<String> trustedProxies() {
        return trustedProxies.stream().map(Cidr::toString).toList();
    }
}
