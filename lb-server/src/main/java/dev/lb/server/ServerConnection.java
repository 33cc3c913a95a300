package dev.lb.server;

import dev.lb.core.SocketDeadlines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by its own thread: reads a request, hands it to the load balancer (or a local
 * route), completes the response, and repeats while the connection stays alive. Pipelined requests are answered
 * in order because they are read one after the other.
 */
final class ServerConnection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
    /** An unread request body up to this size is read away to keep the connection; a larger one closes it. */
    static final long MAX_UNREAD_BODY_TO_DRAIN = 64 * 1024;
    /** After answering a request the server cannot go on with, how long and how much of the rest of the request is read away before closing. */
    private static final long LINGER_NANOS = 2_000_000_000L;
    private static final int MAX_LINGER_BYTES = 256 * 1024;
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;

    private final Socket socket;
    private final LbServer server;
    private final ServerOptions options;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private SocketDeadlines.Watch watch;
    private HttpInput input;
    private boolean answeredAndClosing;

    ServerConnection(Socket socket, LbServer server, ServerOptions options) {
        this.socket = socket;
        this.server = server;
        this.options = options;
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            watch = server.socketDeadlines().watch(socket);
            input = new HttpInput(socket, watch);
            HttpOutput output = new HttpOutput(socket.getOutputStream(), watch, options.writeTimeout(),
                    server.responseBuffers());
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            boolean again = true;
            while (again) {
                input.idleTimeout(options.idleTimeout());
                if (!input.awaitByte()) {
                    return;
                }
                server.requestStarted(); // before turning busy, so a drain never sees a busy connection uncounted
                if (!state.compareAndSet(IDLE, BUSY)) {
                    server.requestEnded();
                    return;
                }
                try {
                    again = serve(input, output, remote);
                } finally {
                    output.release(); // an idle connection holds no response buffer
                    state.compareAndSet(BUSY, IDLE);
                    server.requestEnded();
                }
                // Checked after becoming idle: either this sees the drain, or the drain sees an idle connection.
                again &= !server.draining();
            }
        } catch (IOException e) {
            // The client left, went idle for too long, or the server closed the connection: nothing to answer.
            log.atDebug().setMessage("connection ended").addKeyValue("reason", e.toString()).log();
        } finally {
            state.set(CLOSED);
            if (answeredAndClosing) {
                lingerBeforeClose();
            }
            closeSocket();
            if (watch != null) {
                watch.close();
            }
            server.connectionEnded(this);
        }
    }

    /** Serves one request whose first byte has arrived; whether the connection can carry another. */
    private boolean serve(HttpInput input, HttpOutput output, InetSocketAddress remote) throws IOException {
        input.deadline(System.nanoTime() + options.headerReadTimeout().toNanos());
        RequestHead head;
        try {
            head = RequestHead.read(input);
        } catch (RequestRejected e) {
            answerAndClose(output, e.status(), e.getMessage());
            return false;
        } catch (SocketTimeoutException e) {
            answerAndClose(output, 408, "request timeout: the request headers took longer than "
                    + options.headerReadTimeout().toMillis() + " ms");
            return false;
        }
        input.idleTimeout(options.bodyReadTimeout());
        ServerExchange exchange = new ServerExchange(head, input, output, remote, server::draining);
        try {
            if (server.draining()) {
                exchange.respondText(503, "shutting down", 1);
            } else {
                LocalRoute route = options.routes().isEmpty() ? null : options.routes().get(head.path());
                if (route != null) {
                    route.handle(exchange);
                } else {
                    server.loadBalancer().handle(exchange);
                }
            }
            if (!exchange.responseStarted()) {
                throw new IllegalStateException("the handler returned without a response");
            }
            return exchange.finish(MAX_UNREAD_BODY_TO_DRAIN);
        } catch (IOException e) {
            // The response is incomplete (the contract): close without finishing it. A client that broke the body's
            // framing or stalled is told why when nothing was sent yet.
            RequestRejected rejected = exchange.body().rejection();
            if (rejected != null && !exchange.responseStarted()) {
                answerAndClose(output, rejected.status(), rejected.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            log.atWarn().setMessage("request failed unexpectedly").addKeyValue("method", head.method)
                    .addKeyValue("target", head.target).addKeyValue("client", remote).setCause(e).log();
            if (!exchange.responseStarted()) {
                answerAndClose(output, 500, "internal error");
            }
            return false;
        }
    }

    private void answerAndClose(HttpOutput output, int status, String message) throws IOException {
        output.closingTextResponse(status, message, 0);
        answeredAndClosing = true;
    }

    /**
     * Reads away what the client still sends, for a short while, before closing: closing a socket with unread
     * input resets the connection, and the reset can destroy the answer before the client has read it.
     */
    private void lingerBeforeClose() {
        try {
            socket.shutdownOutput();
            input.deadline(System.nanoTime() + LINGER_NANOS);
            byte[] scratch = new byte[8192];
            for (int total = 0; total < MAX_LINGER_BYTES; ) {
                int read = input.read(scratch, 0, scratch.length);
                if (read < 0) {
                    return;
                }
                total += read;
            }
        } catch (IOException e) {
            log.atDebug().setMessage("client still sending after the last answer").addKeyValue("reason", e.toString()).log();
        }
    }

    /** Closes the connection if it waits for a request; a busy one finishes its request first. */
    void closeIfIdle() {
        if (state.compareAndSet(IDLE, CLOSED)) {
            closeSocket();
        }
    }

    /** Closes the connection whatever it is doing; its thread sees an exception and ends. */
    void close() {
        state.set(CLOSED);
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.atDebug().setMessage("closing a client connection failed").addKeyValue("reason", e.toString()).log();
        }
    }
}
