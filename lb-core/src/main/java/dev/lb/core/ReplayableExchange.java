package dev.lb.core;

import dev.lb.core.proxy.ClientBodyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An exchange whose request body can be sent again: the bytes read from the client are kept up to a cap, and
 * {@link #rewind()} gives the next attempt a body that replays them and then goes on reading from the client.
 * Also enforces the maximum body size, whatever the framing. Used by one request thread at a time.
 */
final class ReplayableExchange implements Exchange {
    private final Exchange exchange;
    private final int replayCap;
    private final long maxBody; // -1: no limit
    private byte[] kept = new byte[0];
    private int keptLength;
    private boolean outgrown;
    private InputStream body;

    ReplayableExchange(Exchange exchange, int replayCap, long maxBody) {
        this.exchange = exchange;
        this.replayCap = replayCap;
        this.maxBody = maxBody;
    }

    /**
     * Makes the next {@link #requestBody()} start over from the first byte.
     *
     * @return false when the bytes already read outgrew the replay buffer, so the body cannot be sent again
     */
    boolean rewind() {
        body = null;
        return !outgrown;
    }

    @Override
    public InputStream requestBody() {
        if (body == null) {
            body = new Replay(exchange.requestBody());
        }
        return body;
    }

    /** Serves the kept bytes, then reads on from the client, keeping what it reads while there is room. */
    private final class Replay extends InputStream {
        private final InputStream client;
        private long position;

        Replay(InputStream client) {
            this.client = client;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (position < keptLength) {
                int count = (int) Math.min(length, keptLength - position);
                System.arraycopy(kept, (int) position, buffer, offset, count);
                position += count;
                return count;
            }
            int count = client.read(buffer, offset, length);
            if (count > 0) {
                keep(buffer, offset, count);
            }
            return count;
        }

        private void keep(byte[] buffer, int offset, int count) throws ClientBodyException {
            long total = position + count;
            if (maxBody >= 0 && total > maxBody) {
                throw new ClientBodyException(413, "content too large: the request body exceeds " + maxBody
                        + " bytes");
            }
            if (!outgrown && total <= replayCap) {
                if (total > kept.length) {
                    kept = Arrays.copyOf(kept, (int) Math.min(replayCap, Math.max(total, kept.length * 2L)));
                }
                System.arraycopy(buffer, offset, kept, keptLength, count);
                keptLength = (int) total;
            } else if (!outgrown) {
                outgrown = true;
                kept = null; // never replayed now; let it go
                keptLength = 0;
            }
            position = total;
        }
    }

    @Override
    public Map<String, List<String>> requestHeaders() {
        return exchange.requestHeaders();
    }

    @Override
    public boolean secure() {
        return exchange.secure();
    }

    @Override
    public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) throws IOException {
        return exchange.respond(status, headers, bodyLength);
    }

    @Override
    public String method() {
        return exchange.method();
    }

    @Override
    public String target() {
        return exchange.target();
    }

    @Override
    public Optional<String> header(String name) {
        return exchange.header(name);
    }

    @Override
    public List<String> headers(String name) {
        return exchange.headers(name);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return exchange.remoteAddress();
    }
}
