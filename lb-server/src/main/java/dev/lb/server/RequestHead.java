package dev.lb.server;

import dev.lb.core.HttpSyntax;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed request line and header block, with the framing facts the connection needs. Parsing is strict where
 * request smuggling lives (RFC 9112 sections 2.2, 5 and 6.3): two framings, conflicting lengths, obsolete line
 * folding or whitespace before a colon are rejected rather than guessed at.
 */
final class RequestHead {
    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_HEADER_LINES = 100;
    private static final int MAX_EMPTY_LINES_BEFORE_REQUEST = 4;

    final String method;
    final String target;
    final boolean http11;
    /** Header lines by name as first received, values in order; names compared case-insensitively by readers. */
    final Map<String, List<String>> headers;
    /** The declared body length, or -1 when none was declared. */
    final long contentLength;
    final boolean chunked;
    final boolean keepAlive;
    final boolean expectContinue;

    private RequestHead(String method, String target, boolean http11, Map<String, List<String>> headers,
                        long contentLength, boolean chunked, boolean keepAlive, boolean expectContinue) {
        this.method = method;
        this.target = target;
        this.http11 = http11;
        this.headers = headers;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.keepAlive = keepAlive;
        this.expectContinue = expectContinue;
    }

    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** The target's path: everything before {@code ?}. */
    String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /**
     * Reads one request head from {@code input}.
     *
     * @throws RequestRejected        for a malformed head or one over the limits
     * @throws java.io.EOFException   when the connection ends inside the head
     */
    static RequestHead read(HttpInput input) throws IOException {
        int lineEnd = input.lineEnd(MAX_REQUEST_LINE);
        for (int empty = 0; lineEnd >= 0 && lineLength(input, lineEnd) == 0; empty++) {
            if (empty == MAX_EMPTY_LINES_BEFORE_REQUEST) {
                throw new RequestRejected(400, "bad request: empty lines instead of a request line");
            }
            input.skipTo(lineEnd + 1);
            lineEnd = input.lineEnd(MAX_REQUEST_LINE);
        }
        if (lineEnd < 0) {
            throw new RequestRejected(414, "URI too long: the request line is over " + MAX_REQUEST_LINE + " bytes");
        }
        Parser parser = new Parser(input.buffer(), input.position(), contentEnd(input, lineEnd));
        String method = parser.token(' ');
        String target = parser.target();
        boolean http11 = parser.version();
        input.skipTo(lineEnd + 1);

        Map<String, List<String>> headers = new LinkedHashMap<>();
        Framing framing = new Framing();
        int headerBytes = 0;
        for (int lines = 0; ; lines++) {
            lineEnd = input.lineEnd(MAX_HEADER_BYTES - headerBytes);
            if (lineEnd < 0) {
                throw new RequestRejected(431, "request header fields too large: over " + MAX_HEADER_BYTES
                        + " bytes");
            }
            headerBytes += lineEnd + 1 - input.position();
            int end = contentEnd(input, lineEnd);
            if (end == input.position()) {
                input.skipTo(lineEnd + 1);
                break;
            }
            if (lines == MAX_HEADER_LINES) {
                throw new RequestRejected(431, "request header fields too large: over " + MAX_HEADER_LINES
                        + " header lines");
            }
            parser = new Parser(input.buffer(), input.position(), end);
            String name = parser.headerName();
            String value = parser.headerValue();
            input.skipTo(lineEnd + 1);
            framing.observe(name, value);
            add(headers, name, value);
        }
        return framing.head(method, target, http11, headers);
    }

    private static void add(Map<String, List<String>> headers, String name, String value) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                List<String> values = entry.getValue();
                if (values.size() == 1) {
                    values = new ArrayList<>(values);
                    entry.setValue(values);
                }
                values.add(value);
                return;
            }
        }
        headers.put(name, List.of(value));
    }

    private static int lineLength(HttpInput input, int lineEnd) {
        return contentEnd(input, lineEnd) - input.position();
    }

    /** The end of the line's content: before the CR of its CRLF (a bare LF is accepted too). */
    private static int contentEnd(HttpInput input, int lineEnd) {
        return lineEnd > input.position() && input.buffer()[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
    }

    /** The framing and connection facts gathered from the header lines. */
    private static final class Framing {
        private long contentLength = -1;
        private boolean conflictingLengths;
        private String transferEncoding;
        private boolean close;
        private boolean keepAlive;
        private boolean expectContinue;

        void observe(String name, String value) throws RequestRejected {
            if (name.equalsIgnoreCase("content-length")) {
                for (String part : value.split(",", -1)) {
                    long length = parseLength(part.strip(), value);
                    conflictingLengths |= contentLength >= 0 && length != contentLength;
                    contentLength = length;
                }
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + ", " + value;
            } else if (name.equalsIgnoreCase("connection")) {
                for (String token : value.split(",")) {
                    String option = token.strip();
                    close |= option.equalsIgnoreCase("close");
                    keepAlive |= option.equalsIgnoreCase("keep-alive");
                }
            } else if (name.equalsIgnoreCase("expect")) {
                expectContinue = value.equalsIgnoreCase("100-continue");
            }
        }

        RequestHead head(String method, String target, boolean http11, Map<String, List<String>> headers)
                throws RequestRejected {
            if (conflictingLengths) {
                throw new RequestRejected(400, "bad request: conflicting Content-Length values");
            }
            boolean chunked = false;
            if (transferEncoding != null) {
                if (contentLength >= 0) {
                    throw new RequestRejected(400, "bad request: Content-Length together with Transfer-Encoding");
                }
                if (!http11) {
                    throw new RequestRejected(400, "bad request: Transfer-Encoding in an HTTP/1.0 request");
                }
                if (!transferEncoding.strip().equalsIgnoreCase("chunked")) {
                    throw new RequestRejected(501, "not implemented: Transfer-Encoding " + transferEncoding
                            + " (expected: chunked)");
                }
                chunked = true;
            }
            boolean persistent = http11 ? !close : keepAlive && !close;
            return new RequestHead(method, target, http11, headers, contentLength, chunked, persistent,
                    expectContinue && http11 && (chunked || contentLength > 0));
        }

        private static long parseLength(String digits, String value) throws RequestRejected {
            long length = HttpSyntax.digits(digits);
            if (length < 0) {
                throw invalidLength(value);
            }
            return length;
        }

        private static RequestRejected invalidLength(String value) {
            return new RequestRejected(400, "bad request: invalid Content-Length: " + value);
        }
    }

    /** Reads the parts of one line in place. */
    private static final class Parser {
        private final byte[] bytes;
        private int at;
        private final int end;

        Parser(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.at = start;
            this.end = end;
        }

        /** A method token ended by {@code terminator}. */
        String token(char terminator) throws RequestRejected {
            int start = at;
            while (at < end && HttpSyntax.isTokenChar(bytes[at] & 0xff)) {
                at++;
            }
            if (at == start || at == end || bytes[at] != terminator) {
                throw new RequestRejected(400, "bad request: malformed request line");
            }
            return text(start, at++);
        }

        String target() throws RequestRejected {
            int start = at;
            while (at < end && bytes[at] > ' ' && bytes[at] != 0x7f) {
                at++;
            }
            if (at == start || at == end || bytes[at] != ' ') {
                throw new RequestRejected(400, "bad request: malformed request line");
            }
            return text(start, at++);
        }

        /** True for HTTP/1.1, false for HTTP/1.0. */
        boolean version() throws RequestRejected {
            String version = text(at, end);
            if (version.equals("HTTP/1.1")) {
                return true;
            }
            if (version.equals("HTTP/1.0")) {
                return false;
            }
            if (version.startsWith("HTTP/")) {
                throw new RequestRejected(505, "HTTP version not supported: " + version + " (expected: HTTP/1.1)");
            }
            throw new RequestRejected(400, "bad request: malformed request line");
        }

        String headerName() throws RequestRejected {
            if (bytes[at] == ' ' || bytes[at] == '\t') {
                throw new RequestRejected(400, "bad request: obsolete line folding in the headers");
            }
            int start = at;
            while (at < end && HttpSyntax.isTokenChar(bytes[at] & 0xff)) {
                at++;
            }
            if (at < end && (bytes[at] == ' ' || bytes[at] == '\t')) {
                throw new RequestRejected(400, "bad request: whitespace before the colon of a header name");
            }
            if (at == start || at == end || bytes[at] != ':') {
                throw new RequestRejected(400, "bad request: malformed header line");
            }
            return HttpSyntax.headerName(bytes, start, at++);
        }

        /** The value without surrounding whitespace; bytes kept as ISO-8859-1 characters. */
        String headerValue() throws RequestRejected {
            int start = HttpSyntax.skipWhitespace(bytes, at, end);
            int stop = HttpSyntax.trimWhitespace(bytes, start, end);
            if (HttpSyntax.hasControlCharacter(bytes, start, stop)) {
                throw new RequestRejected(400, "bad request: a control character in a header value");
            }
            return text(start, stop);
        }

        private String text(int from, int to) {
            return HttpSyntax.text(bytes, from, to);
        }
    }
}
