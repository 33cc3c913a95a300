package dev.lb.server;

import dev.lb.core.LoadBalancer;
import dev.lb.core.SocketDeadlines;
import dev.lb.core.Threads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LoadBalancer} on its own HTTP/1.1 server: blocking sockets, one thread per connection, request
 * heads parsed in place from a per-connection buffer, and responses written through one buffer so that a small
 * response leaves in one write. Faster than {@code HttpServerAdapter} on the JDK's server, which stays the
 * choice for mounting on an application's own {@code HttpServer}.
 *
 * <pre>{@code
 * try (LbServer server = LbServer.serve(lb, new InetSocketAddress(3332))) {
 *     ...
 * } // drains in-flight requests for up to 10s, then stops
 * }</pre>
 *
 * <p>Threads: one acceptor, {@code lb-server-accept}, one thread per connection named {@code lb-server-N} (a
 * virtual thread on Java 21+, a platform thread on 17-20), and {@code lb-server-socket-deadlines}, which times out
 * reads (see {@link SocketDeadlines}). Connections beyond
 * {@link ServerOptions.Builder#maxConnections} are answered {@code 503} with {@code Retry-After: 1} and closed at
 * once rather than left waiting in the backlog. Every thread ends on {@link #close(Duration)}.
 *
 * <p>Limits (each answered with a one-line plain-text body and {@code Connection: close}): a request line over
 * {@value RequestHead#MAX_REQUEST_LINE} bytes {@code 414}; headers over {@value RequestHead#MAX_HEADER_BYTES} bytes
 * or {@value RequestHead#MAX_HEADER_LINES} lines {@code 431}; {@code Content-Length} with
 * {@code Transfer-Encoding}, differing {@code Content-Length}s, a bad chunk size, obsolete line folding or
 * whitespace before a header's colon {@code 400}; headers not complete within the header read timeout
 * {@code 408}. See {@link ServerOptions} for the timeouts.
 *
 * <p>Closing the server does not close the load balancer. Thread-safe.
 */
public final class LbServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LbServer.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    private static final int BACKLOG = 1024;
    private static final String THREAD_PREFIX = "lb-server-";

    private final LoadBalancer lb;
    private final ServerOptions options;
    private final ServerSocket serverSocket;
    private final InetSocketAddress address;
    private final ExecutorService connectionThreads;
    private final int maxConnections;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final SocketDeadlines socketDeadlines = new SocketDeadlines(THREAD_PREFIX + "socket-deadlines");
    private final BufferPool responseBuffers;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile boolean draining;
    private boolean closed;

    private LbServer(LoadBalancer lb, ServerOptions options, ServerSocket serverSocket) {
        this.lb = lb;
        this.options = options;
        this.serverSocket = serverSocket;
        this.address = (InetSocketAddress) serverSocket.getLocalSocketAddress();
        ExecutorService virtual = Threads.newVirtualThreadPerTaskExecutor(THREAD_PREFIX).orElse(null);
        if (virtual != null) {
            connectionThreads = virtual;
            maxConnections = options.maxConnections() > 0 ? options.maxConnections()
                    : ServerOptions.DEFAULT_MAX_CONNECTIONS_VIRTUAL;
        } else {
            maxConnections = options.maxConnections() > 0 ? options.maxConnections()
                    : ServerOptions.DEFAULT_MAX_CONNECTIONS_PLATFORM;
            connectionThreads = Threads.newBoundedThreadPool(THREAD_PREFIX, maxConnections, 0,
                    new ThreadPoolExecutor.AbortPolicy());
        }
        this.responseBuffers = new BufferPool(HttpOutput.CAPACITY, maxConnections);
        this.acceptor = new Thread(this::acceptLoop, THREAD_PREFIX + "accept");
    }

    /**
     * Serves {@code lb} on {@code address} with the default {@link ServerOptions}.
     *
     * @throws IOException if the address cannot be bound
     */
    public static LbServer serve(LoadBalancer lb, InetSocketAddress address) throws IOException {
        return serve(lb, address, ServerOptions.defaults());
    }

    /**
     * Serves {@code lb} on {@code address} with {@code options}.
     *
     * @throws IOException if the address cannot be bound
     */
    public static LbServer serve(LoadBalancer lb, InetSocketAddress address, ServerOptions options)
            throws IOException {
        Objects.requireNonNull(lb, "lb");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        ServerSocket serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(address, BACKLOG);
        } catch (IOException e) {
            serverSocket.close();
            throw e;
        }
        LbServer server = new LbServer(lb, options, serverSocket);
        server.acceptor.start();
        log.atInfo().setMessage("listening").addKeyValue("address", server.address)
                .addKeyValue("max_connections", server.maxConnections).log();
        return server;
    }

    /** The bound address; with port 0 at {@code serve}, this tells the port chosen. */
    public InetSocketAddress address() {
        return address;
    }

    /** {@link #close(Duration)} with a grace period of 10 seconds. */
    @Override
    public void close() {
        close(DEFAULT_GRACE);
    }

    /**
     * Stops gracefully: stops accepting, closes idle keep-alive connections at once, answers new requests on live
     * connections {@code 503} with {@code Retry-After: 1} and {@code Connection: close}, lets requests in flight
     * finish for up to {@code grace}, then closes every connection and waits for its threads to end. Idempotent;
     * returns when the server has stopped.
     */
    public void close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            draining = true;
        } finally {
            lock.unlock();
        }
        closeServerSocket();
        joinAcceptor();
        connections.forEach(ServerConnection::closeIfIdle);
        int cut = awaitRequests(grace);
        connections.forEach(ServerConnection::close);
        if (!Threads.stopNow(connectionThreads, Duration.ofSeconds(5))) {
            log.atWarn().setMessage("connection threads did not stop within 5s after interruption").log();
        }
        socketDeadlines.close();
        log.atInfo().setMessage(cut == 0 ? "drained and stopped" : "stopped with requests still in flight")
                .addKeyValue("address", address).addKeyValue("cut_requests", cut).log();
    }

    private void acceptLoop() {
        while (!draining) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!draining) {
                    // E.g. out of file descriptors: wait a little rather than spin on the same failure.
                    log.atWarn().setMessage("accept failed").addKeyValue("reason", e.toString()).log();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                continue;
            }
            if (connections.size() >= maxConnections) {
                refuse(socket);
                continue;
            }
            ServerConnection connection = new ServerConnection(socket, this, options);
            connections.add(connection);
            try {
                connectionThreads.execute(connection);
            } catch (RejectedExecutionException e) {
                connections.remove(connection);
                refuse(socket);
            }
        }
    }

    private void refuse(Socket socket) {
        log.atDebug().setMessage("connection refused").addKeyValue("open_connections", connections.size()).log();
        try (socket) {
            new HttpOutput(socket.getOutputStream()).closingTextResponse(503,
                    "overloaded: " + maxConnections + " connections open (the maximum)", 1);
        } catch (IOException e) {
            log.atDebug().setMessage("could not refuse a connection").addKeyValue("reason", e.toString()).log();
        }
    }

    /** Waits up to {@code grace} for the requests in flight; returns how many remain. */
    private int awaitRequests(Duration grace) {
        long remaining = grace.toNanos();
        lock.lock();
        try {
            while (inFlight.get() > 0 && remaining > 0) {
                remaining = idle.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return inFlight.get();
    }

    private void closeServerSocket() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.atDebug().setMessage("closing the listening socket failed").addKeyValue("reason", e.toString()).log();
        }
    }

    private void joinAcceptor() {
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    LoadBalancer loadBalancer() {
        return lb;
    }

    boolean draining() {
        return draining;
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestEnded() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    SocketDeadlines socketDeadlines() {
        return socketDeadlines;
    }

    BufferPool responseBuffers() {
        return responseBuffers;
    }

    void connectionEnded(ServerConnection connection) {
        connections.remove(connection);
    }
}
