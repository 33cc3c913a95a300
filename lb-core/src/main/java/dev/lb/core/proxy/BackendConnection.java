package dev.lb.core.proxy;

import dev.lb.core.SocketDeadlines;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection to a backend: blocking reads and writes on the calling thread, with a read buffer that
 * the response parser and the body copy work in, and a small write buffer that joins the request head with the
 * first body bytes. Used by one exchange at a time; not thread-safe.
 *
 * <p>A {@link SocketChannel} underneath so that {@link #isAlive()} can look for an EOF without blocking. Read
 * timeouts are deadlines kept by the engine's {@link SocketDeadlines}, not socket timeouts.
 */
final class BackendConnection implements Closeable {
    static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int BUFFER = 16 * 1024;
    private static final int WRITE_BUFFER = 8 * 1024;
    private static final int MAX_CHUNK_LINE = 4 * 1024;

    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SocketDeadlines.Watch watch;
    private byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private final byte[] writeBuffer = new byte[WRITE_BUFFER];
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private int written;
    private long readDeadline = Long.MAX_VALUE;
    private long idleNanos = Long.MAX_VALUE;
    private long writeDeadline = Long.MAX_VALUE;
    private long writeIdleNanos = Long.MAX_VALUE;
    private boolean receivedAny;
    private long idleSince;

    private BackendConnection(SocketChannel channel, Socket socket, SocketDeadlines.Watch watch) throws IOException {
        this.channel = channel;
        this.socket = socket;
        this.watch = watch;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Connects, and for {@code https} completes the TLS handshake, within {@code timeoutNanos}; {@code deadlines}
     * then times every read.
     *
     * @throws SocketTimeoutException when that takes longer
     */
    static BackendConnection open(String host, int port, boolean tls, long timeoutNanos, SocketDeadlines deadlines)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            int timeoutMillis = timeoutMillis(timeoutNanos);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            if (tls) {
                SSLSocket secure = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, host, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.setSoTimeout(timeoutMillis);
                secure.startHandshake();
                secure.setSoTimeout(0); // from here on, deadlines time the reads
                socket = secure;
            }
            return new BackendConnection(channel, socket, deadlines.watch(channel.socket()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whole milliseconds, at least 1: a socket timeout of 0 would mean none. */
    private static int timeoutMillis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)));
    }

    // ---- state between exchanges

    /**
     * Starts an exchange: nothing received yet, no read timeout until one is set, and each write may wait
     * {@code writeIdleNanos} for the backend to take bytes, never past {@code deadline} ({@link Long#MAX_VALUE}:
     * no limit).
     */
    void startExchange(long writeIdleNanos, long deadline) {
        receivedAny = false;
        readDeadline = Long.MAX_VALUE;
        idleNanos = Long.MAX_VALUE;
        this.writeIdleNanos = writeIdleNanos;
        this.writeDeadline = deadline;
    }

    /** Whether any byte of a response arrived in this exchange. */
    boolean receivedAny() {
        return receivedAny;
    }

    /** Whether the last response ended exactly at the end of what was read, so nothing stray is left. */
    boolean drained() {
        return position == limit;
    }

    /** Response bytes read and not yet consumed. */
    int buffered() {
        return limit - position;
    }

    void idleFrom(long nanoTime) {
        idleSince = nanoTime;
    }

    long idleSince() {
        return idleSince;
    }

    /**
     * Whether the idle connection can carry another request: the backend has neither closed it nor sent anything
     * unasked. One non-blocking read.
     */
    boolean isAlive() {
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(probe.clear()) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return false;
        }
    }

    // ---- writing

    void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > writeBuffer.length - written) {
            flush();
            if (length > writeBuffer.length) {
                send(bytes, offset, length);
                return;
            }
        }
        System.arraycopy(bytes, offset, writeBuffer, written, length);
        written += length;
    }

    void flush() throws IOException {
        if (written > 0) {
            int length = written;
            written = 0;
            send(writeBuffer, 0, length);
        }
    }

    private void send(byte[] bytes, int offset, int length) throws IOException {
        watch.write(out, bytes, offset, length, callDeadline(writeIdleNanos, writeDeadline));
    }

    /**
     * The deadline of one read or write that may wait {@code idleNanos} but not past {@code deadline}, or
     * {@link SocketDeadlines#NO_DEADLINE} ({@link Long#MAX_VALUE}) when neither limits it.
     */
    private static long callDeadline(long idleNanos, long deadline) {
        if (idleNanos == Long.MAX_VALUE) {
            return deadline;
        }
        long idleDeadline = System.nanoTime() + idleNanos;
        return deadline == Long.MAX_VALUE || idleDeadline - deadline < 0 ? idleDeadline : deadline;
    }

    /** The read buffer, free to use as scratch space while a request is being sent and before reading. */
    byte[] scratch() {
        return buffer;
    }

    // ---- reading

    /** From now on each read waits until {@code deadline} at most. */
    void readUntil(long deadline) {
        this.readDeadline = deadline;
        this.idleNanos = Long.MAX_VALUE;
    }

    /** From now on each read waits {@code idleNanos} at most, and never past {@code deadline}. */
    void readIdleAtMost(long idleNanos, long deadline) {
        this.idleNanos = idleNanos;
        this.readDeadline = deadline;
    }

    /** Reads more bytes into the buffer; -1 at end of stream. */
    private int fill() throws IOException {
        if (position == limit) {
            position = 0;
            limit = 0;
        } else if (limit == buffer.length) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        int read = watch.read(in, buffer, limit, buffer.length - limit, callDeadline(idleNanos, readDeadline));
        if (read > 0) {
            limit += read;
            receivedAny = true;
        }
        return read;
    }

    /** Whether more response bytes are ready without waiting. */
    private boolean moreReady() throws IOException {
        return position < limit || in.available() > 0;
    }

    /**
     * Reads a status line and headers.
     *
     * @throws MalformedResponseException when they are not HTTP/1.x or exceed {@link #MAX_HEAD_BYTES}
     * @throws EOFException               when the connection ends first
     */
    ResponseHead readHead() throws IOException {
        int[] budget = {MAX_HEAD_BYTES};
        ResponseHead.Parser head = new ResponseHead.Parser(readLine(budget, "response headers"));
        while (true) {
            int lineFeed = lineEnd(budget, "response headers");
            int end = contentEnd(lineFeed);
            if (end == position) {
                position = lineFeed + 1;
                return head.finish();
            }
            head.header(buffer, position, end);
            position = lineFeed + 1;
        }
    }

    /**
     * One line without its CRLF (or bare LF), decoded as ISO-8859-1 so every byte survives; counts against the
     * budget in {@code budget[0]}.
     */
    private String readLine(int[] budget, String what) throws IOException {
        int lineFeed = lineEnd(budget, what);
        String text = new String(buffer, position, contentEnd(lineFeed) - position, StandardCharsets.ISO_8859_1);
        position = lineFeed + 1;
        return text;
    }

    /**
     * The index of the LF that ends the line at {@link #position}, reading more as needed (the buffer may move);
     * counts the line against the budget in {@code budget[0]}.
     */
    private int lineEnd(int[] budget, String what) throws IOException {
        int scanned = position;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buffer[i] == '\n') {
                    budget[0] -= i - position + 1;
                    if (budget[0] < 0) {
                        throw new MalformedResponseException(what + " over " + MAX_HEAD_BYTES + " bytes");
                    }
                    return i;
                }
            }
            if (limit - position >= budget[0]) {
                throw new MalformedResponseException(what + " over " + MAX_HEAD_BYTES + " bytes");
            }
            int pending = limit - position;
            if (position == 0 && limit == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_HEAD_BYTES + 2));
            }
            if (fill() < 0) {
                throw new EOFException("the backend closed the connection inside the " + what);
            }
            scanned = position + pending;
        }
    }

    /** Where the line ending at this LF ends without its line end: before a CR, if any. */
    private int contentEnd(int lineFeed) {
        return lineFeed > position && buffer[lineFeed - 1] == '\r' ? lineFeed - 1 : lineFeed;
    }

    /**
     * Copies a body of exactly {@code length} bytes to {@code to}, flushing whenever the backend has nothing more
     * ready so that streams stay live.
     *
     * @return the bytes copied
     * @throws EOFException when the connection ends first
     */
    long copyFixed(long length, OutputStream to) throws IOException {
        long left = length;
        while (left > 0) {
            if (position == limit && fill() < 0) {
                throw new EOFException("the backend closed the connection " + left + " bytes before the end of a "
                        + length + "-byte body");
            }
            int count = (int) Math.min(left, limit - position);
            to.write(buffer, position, count);
            position += count;
            left -= count;
            if (left > 0 && !moreReady()) {
                to.flush();
            }
        }
        return length;
    }

    /**
     * Decodes a chunked body to {@code to} and reads the trailers, which are dropped.
     *
     * @return the de-framed bytes copied
     * @throws MalformedResponseException when the chunk framing is broken
     */
    long copyChunked(OutputStream to) throws IOException {
        long total = 0;
        while (true) {
            int[] budget = {MAX_CHUNK_LINE};
            long size = chunkSize(readLine(budget, "chunk size line"));
            if (size == 0) {
                int[] trailerBudget = {MAX_HEAD_BYTES};
                while (!readLine(trailerBudget, "trailers").isEmpty()) {
                    // trailers are not passed on: Exchange.respond has no way to send them
                }
                return total;
            }
            total += copyFixed(size, to);
            if (!readLine(budget, "chunk end").isEmpty()) {
                throw new MalformedResponseException("chunk data longer than its size line said");
            }
            if (!moreReady()) {
                to.flush();
            }
        }
    }

    private static long chunkSize(String line) throws MalformedResponseException {
        int end = 0;
        while (end < line.length() && Character.digit(line.charAt(end), 16) >= 0) {
            end++;
        }
        if (end == 0 || end > 15 || end < line.length() && line.charAt(end) != ';' && line.charAt(end) != ' '
                && line.charAt(end) != '\t') {
            throw new MalformedResponseException("chunk size line \"" + line + "\" (expected: hexadecimal size)");
        }
        return Long.parseLong(line.substring(0, end), 16);
    }

    /** Copies until the backend closes the connection; the body of a response framed by closing. */
    long copyUntilClose(OutputStream to) throws IOException {
        long total = 0;
        while (position < limit || fill() >= 0) {
            int count = limit - position;
            to.write(buffer, position, count);
            position = limit;
            total += count;
            if (!moreReady()) {
                to.flush();
            }
        }
        return total;
    }

    @Override
    public void close() {
        watch.close();
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** Closes with a reset rather than a FIN, so the backend sees the request aborted rather than complete. */
    void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing is what matters
        }
        close();
    }

    /** The backend sent something that is not an HTTP/1.1 response. */
    static final class MalformedResponseException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedResponseException(String message) {
            super(message);
        }
    }
}
