package dev.lb.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors for host servers: a virtual thread per task where the runtime has them (Java 21+, looked up at run time
 * because the library compiles for 17), else a bounded pool of platform threads. Threads are named
 * {@code namePrefix + N}; both executors end their threads on {@code shutdownNow()}, and {@code awaitTermination}
 * returns only once every thread has ended; {@link #stopNow} says whether they did.
 */
public final class Threads {
    private Threads() {
    }

    /**
     * A virtual-thread-per-task executor whose threads are named {@code namePrefix + N}, or empty before Java 21.
     *
     * @throws IllegalStateException if the runtime has virtual threads but the executor could not be created
     */
    public static Optional<ExecutorService> newVirtualThreadPerTaskExecutor(String namePrefix) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            Object builder = lookup.findStatic(Thread.class, "ofVirtual",
                    MethodType.methodType(Class.forName("java.lang.Thread$Builder$OfVirtual"))).invoke();
            MethodHandle name = lookup.findVirtual(builderType, "name",
                    MethodType.methodType(builderType, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builderType, "factory", MethodType.methodType(ThreadFactory.class));
            ThreadFactory threads = (ThreadFactory) factory.invoke(name.invoke(builder, namePrefix, 0L));
            MethodHandle perTask = lookup.findStatic(Executors.class, "newThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class, ThreadFactory.class));
            return Optional.of((ExecutorService) perTask.invoke(threads));
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return Optional.empty();
        } catch (Throwable e) {
            throw new IllegalStateException("could not create a virtual-thread executor", e);
        }
    }

    /**
     * Interrupts the executor's threads and waits up to {@code timeout} for all of them to end.
     *
     * @return false when some still ran at the timeout, or when the calling thread was interrupted while waiting
     *         (its interrupt status is kept)
     */
    public static boolean stopNow(ExecutorService executor, Duration timeout) {
        executor.shutdownNow();
        try {
            return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A pool of at most {@code threads} daemon platform threads named {@code namePrefix + N}, idle ones ending after
     * 30 seconds, with a queue of {@code queueCapacity} tasks (0: none, a task runs only when a thread is free);
     * beyond that, tasks go to {@code overflow}.
     *
     * @throws IllegalArgumentException if {@code threads < 1} or {@code queueCapacity < 0}
     */
    public static ExecutorService newBoundedThreadPool(String namePrefix, int threads, int queueCapacity,
                                                       RejectedExecutionHandler overflow) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        Objects.requireNonNull(overflow, "overflow");
        Checks.atLeastOne("threads", threads);
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: >= 0)");
        }
        AtomicInteger count = new AtomicInteger();
        Set<Thread> started = ConcurrentHashMap.newKeySet();
        ThreadFactory factory = task -> {
            started.removeIf(thread -> !thread.isAlive()); // keeps the set to the pool's size, at most
            Thread thread = new Thread(task, namePrefix + count.getAndIncrement());
            thread.setDaemon(true);
            started.add(thread);
            return thread;
        };
        BlockingQueue<Runnable> queue = queueCapacity == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(queueCapacity);
        // A ThreadPoolExecutor reports itself terminated just before its last thread has ended, so
        // awaitTermination also joins the threads: after it returns true, none is left running.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, queue, factory,
                overflow) {
            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                long deadline = System.nanoTime() + unit.toNanos(timeout);
                if (!super.awaitTermination(timeout, unit)) {
                    return false;
                }
                for (Thread thread : started) {
                    long left = deadline - System.nanoTime();
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.timedJoin(thread, left);
                    }
                    if (thread.isAlive()) {
                        return false;
                    }
                }
                return true;
            }
        };
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
