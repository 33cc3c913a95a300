package dev.lb.core.proxy;

import dev.lb.core.HttpSyntax;
import dev.lb.core.proxy.BackendConnection.MalformedResponseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A backend's status line and headers, parsed strictly: anything a lenient parser would have to guess about
 * (folded lines, a space before the colon, two different lengths, both framings) is refused, since a proxy that
 * guesses differently from the client can be used to smuggle responses.
 *
 * @param status        the status code
 * @param headers       the end-to-end headers, names compared case-insensitively, hop-by-hop ones and
 *                      {@code Content-Length} removed
 * @param contentLength the {@code Content-Length}, or -1 when none was sent
 * @param chunked       whether the body is chunked
 * @param keepAlive     whether the backend lets the connection carry another request afterwards
 * @param retryAfter    a 429's or 503's {@code Retry-After} in seconds, else -1
 */
record ResponseHead(int status, Map<String, List<String>> headers, long contentLength, boolean chunked,
                    boolean keepAlive, long retryAfter) {

    /** Whether a body follows the head that is not delimited by the end of the connection. */
    boolean delimited() {
        return chunked || contentLength >= 0;
    }

    /** Builds a head from its status line and then its header lines, as they are read. */
    static final class Parser {
        private final int status;
        private boolean keepAlive;
        private final List<String> names = new ArrayList<>(16);
        private final List<String> values = new ArrayList<>(16);
        private List<String> connection = List.of();
        private long contentLength = -1;
        private String transferEncoding;
        private String retryAfter;

        Parser(String statusLine) throws MalformedResponseException {
            status = status(statusLine);
            keepAlive = statusLine.charAt(7) != '0';
        }

        /** One header line, the bytes from {@code from} to {@code to} without its line end, as ISO-8859-1. */
        void header(byte[] line, int from, int to) throws MalformedResponseException {
            int colon = from;
            while (colon < to && HttpSyntax.isTokenChar(line[colon] & 0xff)) {
                colon++;
            }
            if (colon == from || colon == to || line[colon] != ':') {
                throw new MalformedResponseException("header line \"" + shortened(HttpSyntax.text(line, from, to))
                        + "\" (expected: a name, a colon and a value)");
            }
            int start = HttpSyntax.skipWhitespace(line, colon + 1, to);
            int end = HttpSyntax.trimWhitespace(line, start, to);
            if (HttpSyntax.hasControlCharacter(line, start, end)) {
                throw new MalformedResponseException("header line \"" + shortened(HttpSyntax.text(line, from, to))
                        + "\" has a control character in its value");
            }
            String name = HttpSyntax.headerName(line, from, colon);
            String value = HttpSyntax.text(line, start, end);
            names.add(name);
            values.add(value);
            if (name.equalsIgnoreCase("content-length")) {
                long length = contentLength(value);
                if (contentLength >= 0 && contentLength != length) {
                    throw new MalformedResponseException("two different Content-Length headers");
                }
                contentLength = length;
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
            } else if (name.equalsIgnoreCase("connection")) {
                if (connection.isEmpty()) {
                    connection = new ArrayList<>(1);
                }
                connection.add(value);
            } else if (name.equalsIgnoreCase("retry-after") && retryAfter == null) {
                retryAfter = value;
            }
        }

        /** The head, once the empty line that ends it was read. */
        ResponseHead finish() throws MalformedResponseException {
            boolean chunked = false;
            if (transferEncoding != null) {
                if (contentLength >= 0) {
                    throw new MalformedResponseException("Content-Length together with Transfer-Encoding");
                }
                String[] codings = transferEncoding.split(",");
                chunked = codings[codings.length - 1].strip().equalsIgnoreCase("chunked");
                // Any other final coding means the body runs until the connection closes (RFC 9112 section 6.3).
                keepAlive &= chunked;
            }
            HopByHop hopByHop = HopByHop.naming(connection);
            if (hopByHop.closes()) {
                keepAlive = false;
            }
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!hopByHop.drops(name) && !name.equalsIgnoreCase("content-length")) {
                    headers.computeIfAbsent(name, first -> new ArrayList<>(1)).add(values.get(i));
                }
            }
            long retryAfterSeconds = status == 429 || status == 503 ? seconds(retryAfter) : -1;
            return new ResponseHead(status, headers, contentLength, chunked, keepAlive, retryAfterSeconds);
        }
    }

    private static int status(String line) throws MalformedResponseException {
        boolean valid = line.length() >= 12 && line.startsWith("HTTP/1.") && isDigit(line.charAt(7))
                && line.charAt(8) == ' ' && line.charAt(9) >= '1' && line.charAt(9) <= '5'
                && isDigit(line.charAt(10)) && isDigit(line.charAt(11))
                && (line.length() == 12 || line.charAt(12) == ' ');
        if (!valid) {
            throw new MalformedResponseException("status line \"" + shortened(line)
                    + "\" (expected: HTTP/1.x and a status from 100 to 599)");
        }
        return Integer.parseInt(line, 9, 12, 10);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long contentLength(String value) throws MalformedResponseException {
        long length = HttpSyntax.digits(value);
        if (length < 0) {
            throw new MalformedResponseException("Content-Length: " + shortened(value)
                    + " (expected: a non-negative integer)");
        }
        return length;
    }

    /** {@code Retry-After} in its seconds form; -1 when absent or a date. */
    private static long seconds(String retryAfter) {
        return retryAfter == null ? -1 : HttpSyntax.digits(retryAfter);
    }

    private static String shortened(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
