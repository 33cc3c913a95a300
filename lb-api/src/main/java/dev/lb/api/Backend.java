package dev.lb.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One upstream server: an absolute {@code http} or {@code https} base URL plus a weight.
 *
 * <p>A backend URL may carry a base path ({@code http://10.0.0.1:8080/api}); it then prefixes every forwarded
 * request path. It may not carry a query, a fragment or user info. Two backends are equal when they address the
 * same scheme, host, port and base path ({@code http://a} equals {@code http://A:80/}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Backend {
    private final String url;
    private final URI uri;
    private final String key;
    private final int weight;

    private Backend(String url, URI uri, String key, int weight) {
        this.url = url;
        this.uri = uri;
        this.key = key;
        this.weight = weight;
    }

    /**
     * A backend of weight 1.
     *
     * @throws IllegalArgumentException if {@code url} is not an absolute http(s) URL
     */
    public static Backend of(String url) {
        return of(url, 1);
    }

    /**
     * A backend with the given weight, which weight-aware strategies use as its share of traffic.
     *
     * @throws IllegalArgumentException if {@code url} is not an absolute http(s) URL or {@code weight < 1}
     */
    public static Backend of(String url, int weight) {
        Objects.requireNonNull(url, "url");
        if (weight < 1) {
            throw new IllegalArgumentException("backend weight: " + weight + " for " + url + " (expected: >= 1)");
        }
        String trimmed = url.strip();
        URI parsed = parse(trimmed);
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        String host = parsed.getHost().toLowerCase(Locale.ROOT);
        int port = parsed.getPort() != -1 ? parsed.getPort() : scheme.equals("https") ? 443 : 80;
        String path = stripTrailingSlashes(parsed.getRawPath() == null ? "" : parsed.getRawPath());
        String hostPart = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        String key = scheme + "://" + hostPart + ":" + port + path;
        String display = stripTrailingSlashes(trimmed);
        return new Backend(display, URI.create(key), key, weight);
    }

    private static URI parse(String url) {
        String expected = " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("backend url: \"" + url + "\" is not a valid URL: " + e.getReason()
                    + expected, e);
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("backend url: \"" + url + "\" has no scheme" + expected);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("backend url: \"" + url + "\" has scheme " + uri.getScheme() + expected);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("backend url: \"" + url + "\" has no host" + expected);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("backend url: \"" + url
                    + "\" (expected: no query, fragment or user info; only scheme, host, port and base path)");
        }
        return uri;
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }

    /** The URL as configured, without trailing slashes; this is the {@code backend} label in metrics and logs. */
    public String url() {
        return url;
    }

    /**
     * The normalized base URI: lower-case scheme and host, explicit port, base path without a trailing slash
     * (empty when none).
     */
    public URI uri() {
        return uri;
    }

    /** The weight, at least 1. */
    public int weight() {
        return weight;
    }

    /** Backends are equal when their normalized URIs are; the weight does not take part. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Backend && ((Backend) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    /** The configured URL, as {@link #url()}. */
    @Override
    public String toString() {
        return url;
    }
}
