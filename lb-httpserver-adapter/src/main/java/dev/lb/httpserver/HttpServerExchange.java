package dev.lb.httpserver;

import com.sun.net.httpserver.HttpExchange;
import dev.lb.core.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An {@link HttpExchange} seen through the core's {@link Exchange} contract. */
final class HttpServerExchange implements Exchange {
    private final HttpExchange exchange;
    private final String target;
    private final boolean closeAfter;

    HttpServerExchange(HttpExchange exchange, String contextPath, boolean closeAfter) {
        this.exchange = exchange;
        this.target = target(exchange.getRequestURI(), contextPath);
        this.closeAfter = closeAfter;
    }

    /**
     * The request target to forward: as received (byte for byte) minus the context path the handler is mounted
     * at; an absolute-form target is reduced to its path and query. {@code null} when the path is not below the
     * mount point: HttpServer matches contexts as string prefixes, so {@code /api} also receives {@code /apix}.
     */
    static String target(URI uri, String contextPath) {
        String raw;
        if (uri.isAbsolute()) {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            raw = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } else {
            // toString() is the string the URI was parsed from, so "//a" or "%2F" reach the backend unchanged.
            raw = uri.toString();
        }
        if (contextPath.equals("/")) {
            return raw;
        }
        if (!raw.startsWith(contextPath)) {
            return null;
        }
        String rest = raw.substring(contextPath.length());
        if (rest.isEmpty() || rest.startsWith("?") || contextPath.endsWith("/")) {
            return "/" + rest;
        }
        return rest.startsWith("/") ? rest : null;
    }

    /** Whether the request lies below the context path the load balancer is mounted at. */
    boolean belowMountPoint() {
        return target != null;
    }

    @Override
    public String method() {
        return exchange.getRequestMethod();
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return exchange.getRemoteAddress();
    }

    @Override
    public Map<String, List<String>> requestHeaders() {
        return exchange.getRequestHeaders();
    }

    @Override
    public InputStream requestBody() {
        return exchange.getRequestBody();
    }

    @Override
    public boolean secure() {
        return exchange instanceof com.sun.net.httpserver.HttpsExchange;
    }

    @Override
    public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) throws IOException {
        var responseHeaders = exchange.getResponseHeaders();
        // One put per header: Headers.putAll skips name normalization on JDK 17, which left the backend's "date"
        // beside the server's own "Date".
        headers.forEach(responseHeaders::put);
        if (closeAfter) {
            responseHeaders.set("Connection", "close");
        }
        boolean announceOnly = method().equals("HEAD") || status == 304;
        boolean noBody = (status >= 100 && status < 200) || status == 204;
        long httpServerLength;
        if (noBody) {
            httpServerLength = -1;
        } else if (announceOnly) {
            // HttpServer sends no body here and takes Content-Length only as a header.
            if (bodyLength >= 0) {
                responseHeaders.set("Content-Length", Long.toString(bodyLength));
            }
            httpServerLength = -1;
        } else {
            // HttpServer's encoding: 0 means chunked, -1 means empty.
            httpServerLength = bodyLength < 0 ? 0 : bodyLength == 0 ? -1 : bodyLength;
        }
        exchange.sendResponseHeaders(status, httpServerLength);
        return exchange.getResponseBody();
    }
}
