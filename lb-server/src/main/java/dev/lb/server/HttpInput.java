package dev.lb.server;

import dev.lb.core.SocketDeadlines;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A connection's input: one reusable buffer that request heads are parsed from in place and that body reads are
 * served from first. Read timeouts are either a fixed idle time per read or, while a head is read, a deadline;
 * the server's {@link SocketDeadlines} enforces both. Used by the connection's own thread only.
 */
final class HttpInput {
    private static final int INITIAL_CAPACITY = 8 * 1024;

    private final InputStream in;
    private final SocketDeadlines.Watch watch;
    private byte[] buffer = new byte[INITIAL_CAPACITY];
    private int position;
    private int limit;
    private long idleNanos;
    private long deadlineNanos;
    private boolean deadlineSet;

    HttpInput(Socket socket, SocketDeadlines.Watch watch) throws IOException {
        this.in = socket.getInputStream();
        this.watch = watch;
    }

    /** From now on each read may wait this long for a byte. */
    void idleTimeout(Duration timeout) {
        deadlineSet = false;
        idleNanos = timeout.toNanos();
    }

    /** From now on reads fail with {@link SocketTimeoutException} once this {@link System#nanoTime()} passes. */
    void deadline(long nanos) {
        deadlineNanos = nanos;
        deadlineSet = true;
    }

    /** Waits for the first byte of the next request; false when the peer closed the connection first. */
    boolean awaitByte() throws IOException {
        return position < limit || fill() > 0;
    }

    byte[] buffer() {
        return buffer;
    }

    int position() {
        return position;
    }

    /** Consumes the buffer up to {@code newPosition}, e.g. past a parsed line. */
    void skipTo(int newPosition) {
        position = newPosition;
    }

    /**
     * Finds the LF that ends the line starting at {@link #position()}, reading more as needed. The buffer may move
     * or grow meanwhile, so read {@link #buffer()} and {@link #position()} afterwards.
     *
     * @return the index of the LF, or {@code -1} when the line has more than {@code maxLength} bytes
     * @throws EOFException when the connection ends inside the line
     */
    int lineEnd(int maxLength) throws IOException {
        int scanned = position;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buffer[i] == '\n') {
                    return i - position > maxLength ? -1 : i;
                }
            }
            if (limit - position > maxLength) {
                return -1;
            }
            scanned = limit - position;
            if (fill() < 0) {
                throw new EOFException("connection closed inside a request head");
            }
            scanned += position;
        }
    }

    /** Reads body bytes: from the buffer first, large reads straight from the socket when it is empty. */
    int read(byte[] into, int offset, int length) throws IOException {
        if (position == limit) {
            if (length >= buffer.length) {
                return readSocket(into, offset, length);
            }
            if (fill() < 0) {
                return -1;
            }
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, into, offset, count);
        position += count;
        return count;
    }

    /** One body byte, or -1 at end of stream. */
    int read() throws IOException {
        if (position == limit && fill() < 0) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    /** Reads more into the buffer, moving or growing it when full; the count read, or -1 at end of stream. */
    private int fill() throws IOException {
        if (position == limit) {
            position = 0;
            limit = 0;
        } else if (limit == buffer.length) {
            byte[] target = position > 0 ? buffer : new byte[buffer.length * 2];
            System.arraycopy(buffer, position, target, 0, limit - position);
            limit -= position;
            position = 0;
            buffer = target;
        }
        int read = readSocket(buffer, limit, buffer.length - limit);
        if (read > 0) {
            limit += read;
        }
        return read;
    }

    private int readSocket(byte[] into, int offset, int length) throws IOException {
        long deadline = deadlineSet ? deadlineNanos : System.nanoTime() + idleNanos;
        return watch.read(in, into, offset, length, deadline);
    }
}
