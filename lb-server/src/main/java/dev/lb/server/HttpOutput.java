package dev.lb.server;

import dev.lb.core.SocketDeadlines;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A connection's output: one buffer that collects the status line, headers and a small body, so that a typical
 * response leaves in one socket write. The buffer is borrowed from the server's {@link BufferPool} on the first
 * write of a response and given back by {@link #release()} when the connection goes idle. Written by the
 * connection's own thread only.
 */
final class HttpOutput {
    static final int CAPACITY = 16 * 1024;
    private static final byte[] NO_BUFFER = new byte[0];
    private static final byte[] CRLF = {'\r', '\n'};
    private static volatile CachedDate date = new CachedDate(0, "");

    private final OutputStream out;
    private final SocketDeadlines.Watch watch;
    private final long writeTimeoutNanos;
    private final BufferPool buffers;
    private byte[] buffer;
    private int count;

    /**
     * Output whose every write may wait {@code writeTimeout} at most for the client to take bytes, with a buffer
     * from {@code buffers} while a response is written.
     */
    HttpOutput(OutputStream out, SocketDeadlines.Watch watch, Duration writeTimeout, BufferPool buffers) {
        this.out = out;
        this.watch = watch;
        this.writeTimeoutNanos = writeTimeout.toNanos();
        this.buffers = buffers;
        this.buffer = NO_BUFFER;
    }

    /** Output without a write timeout, for one short answer that fits the socket's send buffer. */
    HttpOutput(OutputStream out) {
        this.out = out;
        this.watch = null;
        this.writeTimeoutNanos = 0;
        this.buffers = null;
        this.buffer = new byte[CAPACITY];
    }

    /**
     * Gives the buffer back to the pool; call when the response is complete (all flushed) or abandoned. The next
     * write borrows one again.
     */
    void release() {
        if (buffer != NO_BUFFER && buffers != null) {
            buffers.give(buffer);
            buffer = NO_BUFFER;
            count = 0;
        }
    }

    /** {@code HTTP/1.1 status reason} and the {@code Date} header. */
    void statusLine(int status) throws IOException {
        ascii("HTTP/1.1 ");
        ascii(Integer.toString(status));
        ascii(" ");
        ascii(reason(status));
        write(CRLF, 0, 2);
    }

    void header(String name, String value) throws IOException {
        ascii(name);
        ascii(": ");
        ascii(value);
        write(CRLF, 0, 2);
    }

    /** The {@code Date} header, formatted once per second. */
    void dateHeader() throws IOException {
        long second = System.currentTimeMillis() / 1000;
        CachedDate cached = date;
        if (cached.second != second) {
            cached = new CachedDate(second, DateTimeFormatter.RFC_1123_DATE_TIME
                    .format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            date = cached;
        }
        header("Date", cached.text);
    }

    void endHead() throws IOException {
        write(CRLF, 0, 2);
    }

    /**
     * A complete response on the server's own behalf, with a one-line plain-text body and {@code Connection: close},
     * sent at once.
     *
     * @param retryAfterSeconds sent as {@code Retry-After} when positive
     */
    void closingTextResponse(int status, String message, int retryAfterSeconds) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        statusLine(status);
        dateHeader();
        header("Content-Type", "text/plain; charset=utf-8");
        header("Content-Length", Integer.toString(body.length));
        if (retryAfterSeconds > 0) {
            header("Retry-After", Integer.toString(retryAfterSeconds));
        }
        header("Connection", "close");
        endHead();
        write(body, 0, body.length);
        flush();
    }

    /** Buffers the bytes, writing through when they do not fit. */
    void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > buffer.length - count) {
            makeRoom();
            if (length >= buffer.length) {
                send(bytes, offset, length);
                return;
            }
        }
        System.arraycopy(bytes, offset, buffer, count, length);
        count += length;
    }

    void write(int b) throws IOException {
        if (count == buffer.length) {
            makeRoom();
        }
        buffer[count++] = (byte) b;
    }

    /** Writes out what is buffered. */
    void flush() throws IOException {
        if (count > 0) {
            send(buffer, 0, count);
            count = 0;
        }
    }

    /** Writes out what is buffered; when the connection holds no buffer (it was idle), borrows one. */
    private void makeRoom() throws IOException {
        flush();
        if (buffer == NO_BUFFER) {
            buffer = buffers.take();
        }
    }

    private void send(byte[] bytes, int offset, int length) throws IOException {
        if (watch == null) {
            out.write(bytes, offset, length);
        } else {
            watch.write(out, bytes, offset, length, System.nanoTime() + writeTimeoutNanos);
        }
    }

    /** Writes the string's characters as ISO-8859-1 bytes; other characters become {@code ?}. */
    void ascii(String text) throws IOException {
        int length = text.length();
        for (int i = 0; i < length; ) {
            if (count == buffer.length) {
                makeRoom();
            }
            int stop = Math.min(length, i + buffer.length - count);
            for (; i < stop; i++) {
                char c = text.charAt(i);
                buffer[count++] = c <= 0xff ? (byte) c : (byte) '?';
            }
        }
    }

    static String reason(int status) {
        switch (status) {
            case 100: return "Continue";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 204: return "No Content";
            case 206: return "Partial Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "";
        }
    }

    private record CachedDate(long second, String text) {
    }
}
