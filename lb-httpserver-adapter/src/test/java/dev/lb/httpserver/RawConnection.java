package dev.lb.httpserver;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A client connection that writes exact bytes and parses responses by hand, so tests see the framing (chunk
 * sizes, Content-Length, a body where none belongs) that an HTTP client library would hide.
 */
final class RawConnection implements Closeable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawConnection open(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return new RawConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes the text as ISO-8859-1 bytes, exactly as given (write {@code \r\n} yourself). */
    RawConnection send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** The stream after whatever {@link #readHead()} or {@link #read} consumed. */
    InputStream input() {
        return in;
    }

    /**
     * Reads one whole response to a request with {@code method}, framed the way RFC 9112 says: no body for HEAD,
     * 1xx, 204 and 304; else chunked, else Content-Length, else until the connection closes.
     *
     * @throws Truncated when the connection ends before the framing says the response is complete
     */
    RawResponse read(String method) throws IOException {
        return readBody(readHead(), method);
    }

    /**
     * Reads the body of a response whose head {@link #readHead()} returned, framed as {@link #read} says.
     *
     * @throws Truncated when the connection ends before the framing says the response is complete
     */
    RawResponse readBody(RawResponse head, String method) throws IOException {
        int status = head.status();
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return head;
        }
        if (head.header("Transfer-Encoding") != null) {
            return readChunked(head);
        }
        String length = head.header("Content-Length");
        if (length != null) {
            byte[] body = new byte[Integer.parseInt(length.strip())];
            int read = in.readNBytes(body, 0, body.length);
            if (read < body.length) {
                throw new Truncated("Content-Length: " + length + " but the connection ended after " + read
                        + " bytes", head.withBody(Arrays.copyOf(body, read), List.of()));
            }
            return head.withBody(body, List.of());
        }
        return head.withBody(in.readAllBytes(), List.of());
    }

    /** Reads the status line and headers only, leaving the body in {@link #input()}. */
    RawResponse readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a status line");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + statusLine);
        }
        List<String[]> headers = readHeaderLines();
        return new RawResponse(statusLine, Integer.parseInt(parts[1]), headers, new byte[0], List.of());
    }

    private RawResponse readChunked(RawResponse head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new Truncated("the connection ended before the last chunk",
                        head.withBody(body.toByteArray(), sizes));
            }
            int size = Integer.parseInt(sizeLine.split(";", 2)[0].strip(), 16);
            if (size == 0) {
                readHeaderLines(); // trailers
                return head.withBody(body.toByteArray(), sizes);
            }
            byte[] chunk = in.readNBytes(size);
            body.write(chunk);
            if (chunk.length < size || readLine() == null) {
                throw new Truncated("the connection ended inside a chunk", head.withBody(body.toByteArray(), sizes));
            }
            sizes.add(size);
        }
    }

    private List<String[]> readHeaderLines() throws IOException {
        List<String[]> headers = new ArrayList<>();
        String line;
        while ((line = readLine()) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + line);
            }
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        if (line == null) {
            throw new EOFException("connection closed inside the headers");
        }
        return headers;
    }

    /** A CRLF-terminated line without its terminator, or null at end of stream before any byte. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new EOFException("connection closed inside a line: " + line);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A parsed response: the status line, the header lines in order, and the de-framed body. */
    record RawResponse(String statusLine, int status, List<String[]> headerLines, byte[] body,
                       List<Integer> chunkSizes) {
        /** The first value of the header, names compared case-insensitively; null when absent. */
        String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }

        /** Every value of the header, one per header line, in order. */
        List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            for (String[] line : headerLines) {
                if (line[0].equalsIgnoreCase(name)) {
                    values.add(line[1]);
                }
            }
            return values;
        }

        /** The header names in lower case, for "absent" assertions. */
        List<String> headerNames() {
            List<String> names = new ArrayList<>();
            for (String[] line : headerLines) {
                names.add(line[0].toLowerCase(Locale.ROOT));
            }
            return names;
        }

        boolean chunked() {
            String encoding = header("Transfer-Encoding");
            return encoding != null && encoding.equalsIgnoreCase("chunked");
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        RawResponse withBody(byte[] newBody, List<Integer> sizes) {
            return new RawResponse(statusLine, status, headerLines, newBody, List.copyOf(sizes));
        }
    }

    /** The connection ended before the response was complete; {@link #partial} holds what arrived. */
    static final class Truncated extends EOFException {
        private static final long serialVersionUID = 1L;
        final transient RawResponse partial;

        Truncated(String message, RawResponse partial) {
            super(message);
            this.partial = partial;
        }
    }
}
