package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Host executors: virtual threads exactly when the runtime has them, a pool that is bounded and joins its threads,
 * a stop that says whether the threads ended, and a yield for virtual threads only.
 */
class ThreadsTest {
    @Test
    void virtualThreadsExistExactlyFromJava21AndCarryTheName() throws Exception {
        var executor = Threads.newVirtualThreadPerTaskExecutor("lb-test-");
        assertEquals(Runtime.version().feature() >= 21, executor.isPresent());
        if (executor.isPresent()) {
            ExecutorService virtual = executor.get();
            CompletableFuture<String> name = new CompletableFuture<>();
            virtual.execute(() -> name.complete(Thread.currentThread().getName()));
            assertEquals("lb-test-0", name.get(5, TimeUnit.SECONDS));
            virtual.shutdown();
            assertTrue(virtual.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void theBoundedPoolRefusesBeyondItsThreadsAndJoinsThemOnTermination() throws Exception {
        ExecutorService pool = Threads.newBoundedThreadPool("lb-pool-", 1, 0, new ThreadPoolExecutor.AbortPolicy());
        CompletableFuture<Thread> running = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        pool.execute(() -> {
            running.complete(Thread.currentThread());
            release.join();
        });
        Thread worker = running.get(5, TimeUnit.SECONDS);
        assertEquals("lb-pool-0", worker.getName());
        assertTrue(worker.isDaemon());
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));

        release.complete(null);
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        assertFalse(worker.isAlive(), "awaitTermination returns only after the thread ended");
    }

    @Test
    void badPoolSizesFailNamingTheField() {
        assertEquals("threads: 0 (expected: >= 1)", assertThrows(IllegalArgumentException.class,
                () -> Threads.newBoundedThreadPool("p", 0, 0, new ThreadPoolExecutor.AbortPolicy())).getMessage());
        assertEquals("queueCapacity: -1 (expected: >= 0)", assertThrows(IllegalArgumentException.class,
                () -> Threads.newBoundedThreadPool("p", 1, -1, new ThreadPoolExecutor.AbortPolicy())).getMessage());
    }

    @Test
    void stopNowInterruptsTheThreadsAndSaysWhetherTheyEnded() throws Exception {
        ExecutorService interruptible = Threads.newBoundedThreadPool("lb-stop-", 1, 0,
                new ThreadPoolExecutor.AbortPolicy());
        CompletableFuture<Thread> waiting = new CompletableFuture<>();
        interruptible.execute(() -> {
            waiting.complete(Thread.currentThread());
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException expected) {
                // ends the task
            }
        });
        Thread worker = waiting.get(5, TimeUnit.SECONDS);
        assertTrue(Threads.stopNow(interruptible, Duration.ofSeconds(5)));
        assertFalse(worker.isAlive());

        ExecutorService stubborn = Threads.newBoundedThreadPool("lb-stop-", 1, 0,
                new ThreadPoolExecutor.AbortPolicy());
        CompletableFuture<Void> running = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        stubborn.execute(() -> {
            running.complete(null);
            while (!release.isDone()) {
                Thread.onSpinWait(); // ignores the interrupt
            }
        });
        running.get(5, TimeUnit.SECONDS);
        assertFalse(Threads.stopNow(stubborn, Duration.ZERO), "a thread still runs");
        release.complete(null);
        assertTrue(stubborn.awaitTermination(5, TimeUnit.SECONDS));
    }
}
