package dev.lb.core.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors for the library's blocking work (the adapter's requests, health probes): a virtual thread per task on
 * Java 21+, looked up at run time because the library compiles for 17; on 17-20 a bounded pool of daemon threads
 * whose overflow goes to a handler instead of queueing without bound. Either way threads are named
 * {@code namePrefix + N}, and after {@code shutdownNow()} and a successful {@code awaitTermination} none is left.
 */
public final class Executors21 {
    private Executors21() {
    }

    /**
     * @param poolThreads the bounded pool's threads (Java 17-20)
     * @param poolQueue   the bounded pool's queue, beyond which tasks go to {@code overflow}
     */
    public static ExecutorService create(String namePrefix, int poolThreads, int poolQueue,
                                         RejectedExecutionHandler overflow) {
        ExecutorService virtual = virtualThreadPerTask(namePrefix);
        return virtual != null ? virtual : boundedPool(namePrefix, poolThreads, poolQueue, overflow);
    }

    private static ExecutorService virtualThreadPerTask(String namePrefix) {
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
            return (ExecutorService) perTask.invoke(threads);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("could not create a virtual-thread executor", e);
        }
    }

    private static ExecutorService boundedPool(String namePrefix, int poolThreads, int poolQueue,
                                               RejectedExecutionHandler overflow) {
        AtomicInteger count = new AtomicInteger();
        Set<Thread> started = ConcurrentHashMap.newKeySet();
        ThreadFactory threads = task -> {
            started.removeIf(thread -> !thread.isAlive()); // keeps the set to the pool's size, at most
            Thread thread = new Thread(task, namePrefix + count.getAndIncrement());
            thread.setDaemon(true);
            started.add(thread);
            return thread;
        };
        // A ThreadPoolExecutor reports itself terminated just before its last thread has ended, so
        // awaitTermination also joins the threads: after close(), none is left running.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(poolThreads, poolThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(poolQueue), threads, overflow) {
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
