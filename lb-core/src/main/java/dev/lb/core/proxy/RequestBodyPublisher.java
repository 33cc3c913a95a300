package dev.lb.core.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Streams the client's request body to the backend from the thread that handles the request.
 *
 * <p>{@code BodyPublishers.ofInputStream} would read the client's stream on whatever thread asks for data, which
 * with a direct executor is the HttpClient's selector thread: one slow client would stall every backend
 * connection. Here the HttpClient only records demand; {@link #pump} does the blocking reads on the request's
 * own thread and hands each chunk on, so at most one chunk per request is held in memory beyond what the
 * HttpClient has in its write queue.
 *
 * <p>The body is read once. The HttpClient may subscribe again to retry on a fresh connection; that is allowed
 * only while nothing has been read, otherwise the retry fails and nothing is sent twice.
 */
final class RequestBodyPublisher implements HttpRequest.BodyPublisher {
    private static final int CHUNK = 16 * 1024;

    private final InputStream body;
    private final long length;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private Flow.Subscriber<? super ByteBuffer> subscriber;
    private long demand;
    private boolean cancelled;
    private boolean consumed;
    private boolean responded;

    RequestBodyPublisher(InputStream body, long length) {
        this.body = body;
        this.length = length;
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> newSubscriber) {
        boolean replay;
        lock.lock();
        try {
            replay = consumed;
            if (!replay) {
                subscriber = newSubscriber;
                demand = 0;
                cancelled = false;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        newSubscriber.onSubscribe(new Subscription(newSubscriber));
        if (replay) {
            newSubscriber.onError(new IOException("request body already streamed; it cannot be sent again"));
        }
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> owner;

        Subscription(Flow.Subscriber<? super ByteBuffer> owner) {
            this.owner = owner;
        }

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (subscriber == owner) {
                    demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                if (subscriber == owner) {
                    cancelled = true;
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Copies the body to the HttpClient as it asks for it, until the body ends, the HttpClient stops asking, or
     * {@code response} completes (the backend answered or the exchange failed).
     *
     * @throws IOException when reading the client's body fails; the backend request is aborted with it
     */
    void pump(CompletableFuture<?> response) throws IOException {
        response.whenComplete((ignored, failure) -> {
            lock.lock();
            try {
                responded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        });
        while (true) {
            Flow.Subscriber<? super ByteBuffer> target = awaitDemand();
            if (target == null) {
                return;
            }
            byte[] chunk = new byte[CHUNK];
            int read;
            try {
                read = body.read(chunk);
            } catch (IOException e) {
                target.onError(e);
                throw e;
            }
            if (read < 0) {
                target.onComplete();
                return;
            }
            if (read > 0) {
                target.onNext(ByteBuffer.wrap(chunk, 0, read));
            }
        }
    }

    /** Waits until the current subscriber wants data; null when the pump should stop. */
    private Flow.Subscriber<? super ByteBuffer> awaitDemand() {
        lock.lock();
        try {
            while (!responded && (subscriber == null || cancelled || demand == 0)) {
                changed.await();
            }
            if (responded) {
                return null;
            }
            demand--;
            consumed = true;
            return subscriber;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }
}
