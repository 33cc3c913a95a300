package dev.lb.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * A request body de-framed from the connection: {@code Content-Length} bytes, or chunked with the chunk framing
 * and trailers removed. The connection ending early is an {@link EOFException}; a malformed chunk is a
 * {@link RequestRejected}. A stall beyond the body read timeout is a {@code 408} {@link RequestRejected}. After any failure the body and
 * its connection are unusable ({@link #failed()}).
 */
final class RequestBody extends InputStream {
    private static final int MAX_CHUNK_LINE = 4 * 1024;

    private final HttpInput input;
    private final boolean chunked;
    private final BeforeFirstRead beforeFirstRead;
    /** Bytes left in the whole body (Content-Length) or in the current chunk (chunked). */
    private long remaining;
    private boolean started;
    private boolean inChunk;
    private boolean done;
    private IOException failure;

    /**
     * @param beforeFirstRead runs once, before the first byte is read (to send {@code 100 Continue})
     */
    RequestBody(HttpInput input, RequestHead head, BeforeFirstRead beforeFirstRead) {
        this.input = input;
        this.chunked = head.chunked;
        this.beforeFirstRead = beforeFirstRead;
        this.remaining = chunked ? 0 : Math.max(0, head.contentLength);
        this.done = !head.hasBody();
    }

    /** Runs before the body's first byte is read. */
    @FunctionalInterface
    interface BeforeFirstRead {
        void run() throws IOException;
    }

    /** Whether a read began: after that, the client is sending the body (and got its 100 Continue). */
    boolean started() {
        return started;
    }

    boolean failed() {
        return failure != null;
    }

    /** What made the body fail when the client broke the protocol or stalled, so it can be told; else null. */
    RequestRejected rejection() {
        return failure instanceof RequestRejected ? (RequestRejected) failure : null;
    }

    boolean done() {
        return done;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (failure != null) {
            throw new IOException("the request body already failed", failure);
        }
        if (done) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        try {
            if (!started) {
                started = true;
                beforeFirstRead.run();
            }
            if (chunked && remaining == 0 && !nextChunk()) {
                done = true;
                return -1;
            }
            int read = input.read(into, offset, (int) Math.min(length, remaining));
            if (read < 0) {
                throw new EOFException("connection closed inside the request body");
            }
            remaining -= read;
            if (!chunked && remaining == 0) {
                done = true;
            }
            return read;
        } catch (SocketTimeoutException e) {
            failure = new RequestRejected(408, "request timeout: the request body stalled");
            throw failure;
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    /** Reads up to the next chunk's data; false after the last chunk and its trailers. */
    private boolean nextChunk() throws IOException {
        if (inChunk) {
            expectEmptyLine("chunk data not followed by CRLF");
        }
        long size = chunkSize();
        if (size == 0) {
            skipTrailers();
            return false;
        }
        inChunk = true;
        remaining = size;
        return true;
    }

    private long chunkSize() throws IOException {
        int lineEnd = input.lineEnd(MAX_CHUNK_LINE);
        if (lineEnd < 0) {
            throw badChunk("chunk size line over " + MAX_CHUNK_LINE + " bytes");
        }
        byte[] bytes = input.buffer();
        int at = input.position();
        long size = 0;
        int digits = 0;
        for (; at < lineEnd; at++, digits++) {
            int digit = Character.digit(bytes[at], 16);
            if (digit < 0) {
                break;
            }
            if (digits == 15) {
                throw badChunk("chunk size too large");
            }
            size = size * 16 + digit;
        }
        // After the digits only a chunk extension (";...") or the line's end may follow.
        byte next = bytes[at];
        if (digits == 0 || (next != ';' && next != '\r' && next != '\n') || (next == '\r' && at + 1 != lineEnd)) {
            throw badChunk("invalid chunk size");
        }
        input.skipTo(lineEnd + 1);
        return size;
    }

    private void skipTrailers() throws IOException {
        int lines = 0;
        while (true) {
            int lineEnd = input.lineEnd(MAX_CHUNK_LINE);
            if (lineEnd < 0 || ++lines > RequestHead.MAX_HEADER_LINES) {
                throw badChunk("trailers too large");
            }
            boolean empty = isEmptyLine(lineEnd);
            input.skipTo(lineEnd + 1);
            if (empty) {
                return;
            }
        }
    }

    private void expectEmptyLine(String problem) throws IOException {
        int lineEnd = input.lineEnd(1);
        if (lineEnd < 0 || !isEmptyLine(lineEnd)) {
            throw badChunk(problem);
        }
        input.skipTo(lineEnd + 1);
        inChunk = false;
    }

    /** Whether the line ending at {@code lineEnd} is CRLF or a bare LF. */
    private boolean isEmptyLine(int lineEnd) {
        int start = input.position();
        return lineEnd == start || (lineEnd == start + 1 && input.buffer()[start] == '\r');
    }

    private static RequestRejected badChunk(String problem) {
        return new RequestRejected(400, "bad request: " + problem + " in the chunked request body");
    }
}
