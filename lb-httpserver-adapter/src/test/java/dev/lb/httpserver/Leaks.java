package dev.lb.httpserver;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test may not leave behind: {@code lb-} threads and open file descriptors of this JVM. Register it with
 * {@code @RegisterExtension final Leaks leaks = new Leaks();} and {@link #track} what each test starts: before
 * each test it counts what is open; after it (and after the class's own {@code @AfterEach} methods) it closes the
 * tracked resources, last first, then polls until everything is back, because sockets and threads end
 * asynchronously after a close.
 */
final class Leaks implements BeforeEachCallback, AfterEachCallback {
    /**
     * File descriptors the JDK may open lazily and keep (jar files, /dev/random, an epoll instance), and those of
     * the tests' own java.net.http clients, whose selectors linger until the client is garbage.
     */
    private static final int FD_SLACK = 3;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Deque<AutoCloseable> tracked = new ArrayDeque<>();
    private int fdsBefore;

    private static boolean warmedUp;

    /** Counts what is open now; the first test in a JVM first proxies one request, see {@link #warmUp()}. */
    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        warmUp();
        fdsBefore = openFileDescriptors();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeAllAndAssertNoneLeft();
    }

    /**
     * Proxies one request and closes everything, once per JVM, so the file descriptors the JDK opens lazily on
     * first use (selectors, jar files, random sources, and on Java 21+ the virtual-thread pollers, started when a
     * request thread first blocks on a socket: here, on a request body that arrives in two parts) are counted
     * before the first count, not as its leak.
     */
    private static synchronized void warmUp() throws Exception {
        if (warmedUp) {
            return;
        }
        warmedUp = true;
        try (SwitchableBackend backend = SwitchableBackend.start("warm-up");
             TestProxy proxy = TestProxy.to(backend.url());
             RawConnection client = proxy.connect()) {
            client.send("POST /warm-up HTTP/1.1\r\nHost: " + proxy.authority() + "\r\nContent-Length: 2\r\n\r\n1");
            Await.until("the warm-up request reached the backend", () -> backend.traffic() == 1);
            client.send("2");
            client.read("POST");
        }
        System.gc();
    }

    /** Closes {@code resource} after the test, before what was tracked earlier. */
    <T extends AutoCloseable> T track(T resource) {
        tracked.push(resource);
        return resource;
    }

    /** Closes every tracked resource, last first, then {@link #assertNoneLeft()}. */
    private void closeAllAndAssertNoneLeft() throws Exception {
        Exception failure = null;
        while (!tracked.isEmpty()) {
            try {
                tracked.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        assertNoneLeft();
    }

    /** What each open file descriptor points to, e.g. {@code socket:[123]}, for failure messages. */
    private static String fileDescriptorTargets() {
        StringBuilder targets = new StringBuilder();
        String[] fds = new File("/proc/self/fd").list();
        for (String fd : fds == null ? new String[0] : fds) {
            try {
                targets.append(fd).append("->").append(Files.readSymbolicLink(Path.of("/proc/self/fd", fd)))
                        .append(' ');
            } catch (IOException | UnsupportedOperationException e) {
                targets.append(fd).append("->? ");
            }
        }
        return targets.toString();
    }

    /**
     * Open file descriptors of this JVM, or -1 where /proc is not available. On Java 21+ epoll instances are left
     * out: the JDK starts a virtual-thread poller per carrier thread the first time a virtual thread blocks on a
     * socket on that carrier, which no warm-up can cover deterministically. Sockets, pipes and files still count.
     */
    static int openFileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return -1;
        }
        if (Runtime.version().feature() < 21) {
            return fds.length;
        }
        int count = 0;
        for (String fd : fds) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString().equals("anon_inode:[eventpoll]")) {
                    count++;
                }
            } catch (IOException e) {
                // closed meanwhile (or the directory's own descriptor): not open
            }
        }
        return count;
    }

    /**
     * Waits up to 10s for every {@code lb-} thread to end and the open file descriptors to come back to the
     * count taken before the test (plus a small slack); fails naming what is left. On Java 17-20 a closed load balancer's
     * HttpClient lets its connections go only once it is garbage, hence the {@code System.gc()} calls.
     */
    private void assertNoneLeft() throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            List<String> threads = LiveThreads.named("lb-");
            int fds = openFileDescriptors();
            boolean fdsBack = fdsBefore < 0 || fds <= fdsBefore + FD_SLACK;
            if (threads.isEmpty() && fdsBack) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("left behind: threads " + threads + ", " + fds + " open file descriptors ("
                        + fdsBefore + " before, slack " + FD_SLACK + "): " + fileDescriptorTargets());
            }
            System.gc();
            Thread.sleep(20);
        }
    }
}
