package dev.lb.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link Scheduler} whose time moves only when a test calls {@link #advance}. Not thread-safe. */
public final class ManualScheduler implements Scheduler {
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private long now;
    private long sequence;
    private final List<Task> tasks = new ArrayList<>();

    private static final class Task {
        final long due;
        final long order;
        final Runnable action;
        boolean cancelled;

        Task(long due, long order, Runnable action) {
            this.due = due;
            this.order = order;
            this.action = action;
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Instant now() {
        return EPOCH.plusNanos(now);
    }

    @Override
    public Runnable schedule(Runnable action, long delayNanos) {
        Task task = new Task(now + delayNanos, sequence++, action);
        tasks.add(task);
        return () -> task.cancelled = true;
    }

    /** Moves time forward, running every task that falls due, in order, at its due time. */
    public void advance(Duration duration) {
        long end = now + duration.toNanos();
        while (true) {
            Task next = tasks.stream().filter(t -> t.due <= end)
                    .min(Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.order)).orElse(null);
            if (next == null) {
                break;
            }
            tasks.remove(next);
            now = Math.max(now, next.due);
            if (!next.cancelled) {
                next.action.run();
            }
        }
        now = end;
    }

    /** Tasks scheduled and not yet run. */
    public int pending() {
        return (int) tasks.stream().filter(t -> !t.cancelled).count();
    }

    @Override
    public void close() {
        tasks.clear();
    }
}
