package dev.lb.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The response body stream {@link ServerExchange#respond} returns: frames what the core writes (fixed length,
 * chunked, until close, or nothing at all) into the connection's buffered output, and completes the response on
 * {@link #close()}.
 */
final class ResponseBody extends OutputStream {
    enum Framing { NONE, FIXED, CHUNKED, UNTIL_CLOSE }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private final HttpOutput output;
    private final Framing framing;
    private long remaining;
    private boolean closed;

    ResponseBody(HttpOutput output, Framing framing, long length) {
        this.output = output;
        this.framing = framing;
        this.remaining = length;
    }

    /** Whether the response was completed: closed with every announced byte written. */
    boolean complete() {
        return closed && (framing != Framing.FIXED || remaining == 0);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("response body already closed");
        }
        if (length == 0) {
            return;
        }
        switch (framing) {
            case NONE:
                return; // HEAD, 1xx, 204, 304: the core writes nothing; nothing may reach the client either
            case FIXED:
                if (length > remaining) {
                    throw new IOException("response body longer than its Content-Length: " + length
                            + " more bytes with " + remaining + " left");
                }
                remaining -= length;
                output.write(bytes, offset, length);
                return;
            case CHUNKED:
                output.ascii(Integer.toHexString(length));
                output.write(CRLF, 0, 2);
                output.write(bytes, offset, length);
                output.write(CRLF, 0, 2);
                return;
            default:
                output.write(bytes, offset, length);
        }
    }

    @Override
    public void flush() throws IOException {
        output.flush();
    }

    /**
     * Completes the response and writes it out.
     *
     * @throws IOException when the body is shorter than its {@code Content-Length}; the connection must close
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (framing == Framing.CHUNKED) {
            output.write(LAST_CHUNK, 0, LAST_CHUNK.length);
        }
        output.flush();
        if (framing == Framing.FIXED && remaining > 0) {
            throw new IOException("response body ended " + remaining + " bytes short of its Content-Length");
        }
    }
}
