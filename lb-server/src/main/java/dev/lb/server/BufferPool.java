package dev.lb.server;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Response buffers lent to connections while they answer a request, so that an idle keep-alive connection holds
 * none. The most recently returned buffer goes out first (it is likely still in a CPU cache); at most
 * {@code maxKept} are kept, the rest left to the garbage collector. Thread-safe.
 */
final class BufferPool {
    private final int bufferSize;
    private final int maxKept;
    private final ConcurrentLinkedDeque<byte[]> kept = new ConcurrentLinkedDeque<>();
    private final AtomicInteger keptCount = new AtomicInteger();

    BufferPool(int bufferSize, int maxKept) {
        this.bufferSize = bufferSize;
        this.maxKept = maxKept;
    }

    /** A kept buffer, or a new one when none is kept. */
    byte[] take() {
        byte[] buffer = kept.pollFirst();
        if (buffer == null) {
            return new byte[bufferSize];
        }
        keptCount.decrementAndGet();
        return buffer;
    }

    /** Takes a buffer back; the caller must not touch it afterwards. */
    void give(byte[] buffer) {
        if (keptCount.incrementAndGet() <= maxKept) {
            kept.offerFirst(buffer);
        } else {
            keptCount.decrementAndGet();
        }
    }

    /** How many buffers are kept now. */
    int kept() {
        return keptCount.get();
    }
}
