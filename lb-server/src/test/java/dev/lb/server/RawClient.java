package dev.lb.server;

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
import java.util.List;

/** A client connection that writes exact bytes and reads responses by hand, so tests see the framing itself. */
final class RawClient implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 10_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Writes the text as ISO-8859-1 bytes, exactly as given. */
    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    InputStream input() {
        return in;
    }

    /** Reads one whole response to {@code method}, framed as RFC 9112 says. */
    Response read(String method) throws IOException {
        Response head = readHead();
        int status = head.status;
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return head;
        }
        if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int size;
            while ((size = Integer.parseInt(line().split(";", 2)[0], 16)) > 0) {
                body.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                continue; // trailers
            }
            return head.withBody(body.toByteArray());
        }
        String length = head.header("Content-Length");
        if (length != null) {
            byte[] body = in.readNBytes(Integer.parseInt(length));
            if (body.length < Integer.parseInt(length)) {
                throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
            }
            return head.withBody(body);
        }
        return head.withBody(in.readAllBytes());
    }

    /** Reads the status line and headers only. */
    Response readHead() throws IOException {
        String statusLine = line();
        List<String[]> headers = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        return new Response(Integer.parseInt(statusLine.split(" ", 3)[1]), headers, new byte[0]);
    }

    /** Whether the server closed the connection: the next read sees end of stream. */
    boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed inside a line: " + line);
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Response(int status, List<String[]> headers, byte[] body) {
        /** The first value of the header, names compared case-insensitively; null when absent. */
        String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Response withBody(byte[] newBody) {
            return new Response(status, headers, newBody);
        }
    }
}
