package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Response buffers: lent out last-returned first, at most the configured number kept. */
class BufferPoolTest {
    @Test
    void lendsTheLastReturnedBufferFirstAndKeepsAtMostTheLimit() {
        BufferPool pool = new BufferPool(16, 2);
        byte[] first = pool.take();
        byte[] second = pool.take();
        byte[] third = pool.take();
        assertEquals(16, first.length);
        assertNotSame(first, second);

        pool.give(first);
        pool.give(second);
        pool.give(third);
        assertEquals(2, pool.kept(), "the third is left to the garbage collector");

        assertSame(second, pool.take());
        assertSame(first, pool.take());
        assertEquals(0, pool.kept());
        assertNotSame(third, pool.take(), "an empty pool makes a new buffer");
    }
}
