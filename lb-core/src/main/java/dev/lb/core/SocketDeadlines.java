package dev.lb.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Read and write deadlines for blocking sockets, enforced by one watchdog thread instead of a socket timeout per
 * read. On a virtual thread every read with a socket timeout registers and cancels a timer in the scheduler; for a
 * proxy, which waits on a socket twice per request, that cost about a quarter of its CPU. Writes have no timeout
 * of their own at all, so a peer that stops reading would hold the writer forever. Here a read or write only
 * writes its deadline into its connection's {@link Watch}; the watchdog sleeps until the earliest deadline. A read
 * still waiting at its deadline gets the socket's input shut, which ends it at once while the output stays open
 * (a server can still answer {@code 408}); a write still waiting gets the socket closed, the one way to wake a
 * platform thread blocked in a write.
 *
 * <p>Each owner (a server, a load balancer's engine) has its own; {@link #close()} ends the watchdog thread once
 * the last watch is closed. Thread-safe.
 */
public final class SocketDeadlines implements AutoCloseable {
    /** The deadline of a read or write that may wait for ever. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    // Sentinels in Watch.deadline, which otherwise holds System.nanoTime() values.
    private static final long NONE = Long.MIN_VALUE;
    private static final long EXPIRED = Long.MIN_VALUE + 1;
    // In nextWake while the watchdog scans: every arm() then wakes it, so no deadline set meanwhile is missed.
    private static final long SCANNING = Long.MIN_VALUE;
    private static final long IDLE_NANOS = TimeUnit.HOURS.toNanos(1);
    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(Watch.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile long nextWake = SCANNING;
    private volatile boolean closed;

    /** Starts the watchdog, a daemon thread named {@code threadName}. */
    public SocketDeadlines(String threadName) {
        watchdog = new Thread(this::watch, Objects.requireNonNull(threadName, "threadName"));
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** Watches reads from and writes to {@code socket}; close the watch with the socket. */
    public Watch watch(Socket socket) {
        Watch watch = new Watch(Objects.requireNonNull(socket, "socket"));
        watches.add(watch);
        return watch;
    }

    /**
     * Ends the watchdog once no watch is open: at once when none is, else when the last one closes (deadlines of
     * reads and writes still running stay enforced). Waits up to a second for the thread to end.
     */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
        if (watches.isEmpty()) {
            try {
                watchdog.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void watch() {
        while (!(closed && watches.isEmpty())) {
            nextWake = SCANNING;
            long now = System.nanoTime();
            long earliest = now + IDLE_NANOS;
            for (Watch watch : watches) {
                long deadline = watch.deadline;
                if (deadline == NONE || deadline == EXPIRED) {
                    continue;
                }
                if (deadline - now <= 0) {
                    watch.expire(deadline);
                } else if (deadline - earliest < 0) {
                    earliest = deadline;
                }
            }
            nextWake = earliest;
            if (!closed) {
                LockSupport.parkNanos(this, earliest - now);
            } else if (!watches.isEmpty()) {
                // closed with calls still running: keep enforcing them, and look again for the last watch closing
                LockSupport.parkNanos(this, Math.min(earliest - now, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        }
    }

    /** The deadline of the reads and writes on one socket, made one at a time by the thread that uses it. */
    public final class Watch implements AutoCloseable {
        private final Socket socket;
        @SuppressWarnings("unused") // through DEADLINE
        private volatile long deadline = NONE;
        private volatile boolean writing;

        private Watch(Socket socket) {
            this.socket = socket;
        }

        /**
         * Reads as {@link InputStream#read(byte[], int, int)} does, but gives up at {@code deadlineNanos} (a
         * {@link System#nanoTime()} value, or {@link #NO_DEADLINE}); the socket's input is then shut.
         *
         * @throws SocketTimeoutException when the deadline has passed, before or during the read
         */
        public int read(InputStream in, byte[] into, int offset, int length, long deadlineNanos) throws IOException {
            if (deadlineNanos == NO_DEADLINE) {
                return in.read(into, offset, length);
            }
            arm(deadlineNanos, false);
            int read;
            try {
                read = in.read(into, offset, length);
            } catch (IOException e) {
                if (disarm()) {
                    throw timedOut("read", e);
                }
                throw e;
            }
            if (disarm()) {
                throw timedOut("read", null);
            }
            return read;
        }

        /**
         * Writes as {@link OutputStream#write(byte[], int, int)} does, but gives up at {@code deadlineNanos} (a
         * {@link System#nanoTime()} value, or {@link #NO_DEADLINE}); the socket is then closed.
         *
         * @throws SocketTimeoutException when the deadline has passed, before or during the write
         */
        public void write(OutputStream out, byte[] bytes, int offset, int length, long deadlineNanos)
                throws IOException {
            if (deadlineNanos == NO_DEADLINE) {
                out.write(bytes, offset, length);
                return;
            }
            arm(deadlineNanos, true);
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                if (disarm()) {
                    throw timedOut("write", e);
                }
                throw e;
            }
            if (disarm()) {
                throw timedOut("write", null);
            }
        }

        private void arm(long deadlineNanos, boolean write) throws SocketTimeoutException {
            if (deadlineNanos - System.nanoTime() <= 0) {
                throw timedOut(write ? "write" : "read", null);
            }
            writing = write;
            deadline = deadlineNanos;
            long wake = nextWake;
            if (wake == SCANNING || deadlineNanos - wake < 0) {
                LockSupport.unpark(watchdog);
            }
        }

        /** Whether the watchdog expired the read or write before it ended. */
        private boolean disarm() {
            return (long) DEADLINE.getAndSet(this, NONE) == EXPIRED;
        }

        private void expire(long seen) {
            // Only if the call has not ended since: one that ended in time keeps its connection usable.
            if (DEADLINE.compareAndSet(this, seen, EXPIRED)) {
                try {
                    if (writing) {
                        socket.close();
                    } else {
                        socket.shutdownInput();
                    }
                } catch (IOException e) {
                    // already closed: the call has ended anyway
                }
            }
        }

        private SocketTimeoutException timedOut(String what, IOException cause) {
            SocketTimeoutException timeout = new SocketTimeoutException(what + " deadline passed");
            if (cause != null) {
                timeout.initCause(cause);
            }
            return timeout;
        }

        /** Stops watching the socket. */
        @Override
        public void close() {
            if (watches.remove(this) && closed) {
                LockSupport.unpark(watchdog);
            }
        }
    }
}
