package dev.lb.core.proxy;

import dev.lb.api.Backend;
import dev.lb.core.SocketDeadlines;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where one backend is and its idle keep-alive connections. Lock-free: the most recently used connection is
 * taken first (LIFO), so under light load a few connections stay warm and the rest age out; at most
 * {@link #MAX_IDLE} are kept, the oldest closed beyond that. Thread-safe.
 */
final class BackendPool {
    static final int MAX_IDLE = 128;

    final String host;
    final int port;
    final boolean tls;
    /** The {@code Host} header the backend gets: its own host and port. */
    final String authority;
    /** The backend URL's base path, prefixed to every request target; empty when none. */
    final String basePath;
    private final long idleTimeoutNanos;
    private final SocketDeadlines deadlines;
    private final ConcurrentLinkedDeque<BackendConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    BackendPool(Backend backend, long idleTimeoutNanos, SocketDeadlines deadlines) {
        URI uri = backend.uri();
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.tls = uri.getScheme().equals("https");
        this.authority = uri.getRawAuthority();
        this.basePath = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.deadlines = deadlines;
    }

    /** A fresh connection to the backend, connected within {@code timeoutNanos}. */
    BackendConnection connect(long timeoutNanos) throws IOException {
        return BackendConnection.open(host, port, tls, timeoutNanos, deadlines);
    }

    /** The most recently used idle connection that is still alive, or null. */
    BackendConnection take() {
        BackendConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            boolean expired = System.nanoTime() - connection.idleSince() > idleTimeoutNanos;
            if (!expired && connection.isAlive()) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    /** Keeps a connection whose last exchange ended cleanly for the next request. */
    void offer(BackendConnection connection) {
        connection.idleFrom(System.nanoTime());
        idle.offerFirst(connection);
        if (idleCount.incrementAndGet() > MAX_IDLE) {
            BackendConnection oldest = idle.pollLast();
            if (oldest != null) {
                idleCount.decrementAndGet();
                oldest.close();
            }
        }
        if (closed) { // closeAll may have run before our offerFirst
            closeAll();
        }
    }

    /** Closes every idle connection; connections in use are closed when they come back. */
    void close() {
        closed = true;
        closeAll();
    }

    private void closeAll() {
        BackendConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            connection.close();
        }
    }
}
