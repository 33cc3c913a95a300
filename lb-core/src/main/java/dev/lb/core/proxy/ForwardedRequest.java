package dev.lb.core.proxy;

import dev.lb.core.Exchange;
import dev.lb.core.HttpSyntax;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A client's request as it goes to a backend: the head encoded once, byte for byte as received where it can be
 * (target, method, header values as ISO-8859-1), and how the body is framed.
 */
final class ForwardedRequest {
    // Host is the backend's own, the body framing is ours, Expect was answered by the host server, and the
    // X-Forwarded-* headers are rewritten from what the client sent.
    private static final Set<String> REPLACED = Set.of("host", "content-length", "expect", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host");
    // Methods a backend may receive twice without harm (RFC 9110 section 9.2.2).
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    /** The head's bytes: the first {@link #headLength} of this array. */
    final byte[] head;
    final int headLength;
    /** The body's Content-Length, or -1 when it has none or is chunked. */
    final long contentLength;
    final boolean chunked;
    final boolean idempotent;
    /** Whether the response to it has no body whatever its headers say. */
    final boolean isHead;

    private ForwardedRequest(Latin1 head, long contentLength, boolean chunked, String method) {
        this.head = head.bytes;
        this.headLength = head.size;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.idempotent = IDEMPOTENT.contains(method);
        this.isHead = method.equals("HEAD");
    }

    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /**
     * Encodes the request for the backend the pool leads to.
     *
     * @throws IllegalArgumentException when the request cannot be forwarded as received; the message says why
     */
    static ForwardedRequest of(Exchange exchange, BackendPool pool) {
        String method = exchange.method();
        if (method.equals("CONNECT")) {
            throw new IllegalArgumentException("method CONNECT (expected: another method; this proxy opens no"
                    + " tunnels)");
        }
        String target = exchange.target();
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException("request target " + target + " (expected: a path starting with /)");
        }
        Latin1 text = new Latin1();
        text.append(method).append(" ").append(pool.basePath);
        text.appendReceived(null, target);
        text.append(" HTTP/1.1\r\nHost: ").append(pool.authority).append("\r\n");
        Map<String, List<String>> headers = exchange.requestHeaders();
        HopByHop hopByHop = HopByHop.of(headers);
        String contentLength = null;
        boolean chunked = false;
        List<String> forwardedFor = List.of();
        String clientHost = null;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            List<String> values = header.getValue();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("transfer-encoding")) {
                chunked = true;
            } else if (lower.equals("content-length") && !values.isEmpty()) {
                contentLength = values.get(0).strip();
            } else if (lower.equals("x-forwarded-for")) {
                forwardedFor = values;
            } else if (lower.equals("host") && !values.isEmpty()) {
                clientHost = values.get(0);
            }
            if (hopByHop.drops(lower) || REPLACED.contains(lower)) {
                continue;
            }
            if (!HttpSyntax.isToken(name)) {
                throw new IllegalArgumentException("header name \"" + name + "\" (expected: a token)");
            }
            for (String value : values) {
                text.append(name).append(": ");
                text.appendReceived(name, value);
                text.append("\r\n");
            }
        }
        long length = bodyLength(contentLength, chunked);
        if (contentLength != null) {
            text.append("Content-Length: ").append(Long.toString(length)).append("\r\n");
        } else if (chunked) {
            text.append("Transfer-Encoding: chunked\r\n");
        }
        text.append("X-Forwarded-For: ");
        for (String value : forwardedFor) {
            text.appendReceived("X-Forwarded-For", value);
            text.append(", ");
        }
        text.append(exchange.remoteAddress().getAddress().getHostAddress()).append("\r\n");
        text.append("X-Forwarded-Proto: ").append(exchange.secure() ? "https" : "http").append("\r\n");
        if (clientHost != null) {
            text.append("X-Forwarded-Host: ");
            text.appendReceived("Host", clientHost);
            text.append("\r\n");
        }
        text.append("\r\n");
        return new ForwardedRequest(text, length, chunked, method);
    }

    /** The body's length: its Content-Length, -1 when chunked or absent. */
    private static long bodyLength(String contentLength, boolean chunked) {
        if (contentLength == null) {
            return -1;
        }
        if (chunked) {
            // Two framings for one body is how requests are smuggled past proxies (RFC 9112 section 6.3).
            throw new IllegalArgumentException("Content-Length together with Transfer-Encoding (expected: one)");
        }
        try {
            long length = Long.parseLong(contentLength);
            if (length >= 0 && contentLength.charAt(0) != '+') {
                return length;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("Content-Length: " + contentLength + " (expected: a non-negative integer)");
    }

    /** The head's bytes as they are built: each character one ISO-8859-1 byte. */
    private static final class Latin1 {
        private byte[] bytes = new byte[512];
        private int size;

        /**
         * Appends text known to be safe on the wire, such as our own names and the backend's authority; a character
         * beyond ISO-8859-1 becomes {@code ?}, as {@link String#getBytes} would make it.
         */
        Latin1 append(String text) {
            int length = text.length();
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + length));
            }
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                bytes[size++] = c <= 0xff ? (byte) c : (byte) '?';
            }
            return this;
        }

        /**
         * Appends the value of the client's header {@code header} (null: the request target) as received: any byte
         * passes unchanged except those that would end the line or the message early.
         */
        void appendReceived(String header, String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
                    throw new IllegalArgumentException((header == null ? "request target" : "header " + header)
                            + " has character " + (int) c + " at position " + i
                            + " (expected: bytes without CR, LF or NUL)");
                }
            }
            append(value);
        }
    }
}
