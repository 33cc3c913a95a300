package dev.lb.core.health;

import dev.lb.api.Backend;
import dev.lb.core.HealthCheck;
import dev.lb.core.internal.Balancer;
import dev.lb.core.internal.Member;
import dev.lb.core.internal.Scheduler;
import java.net.ConnectException;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;

/**
 * Probes every member of the pool: the first round at once, then each backend again an interval (plus or minus up
 * to 10% jitter) after its previous probe ended, so a backend never has two probes in flight and probes of many
 * backends drift apart. Results go to {@link Balancer#probed}, which applies rise and fall.
 */
public final class HealthMonitor {
    private static final double JITTER = 0.1;

    private final Balancer balancer;
    private final HealthCheck check;
    private final BiFunction<URI, Duration, CompletableFuture<Integer>> prober;
    private final Scheduler scheduler;
    private volatile boolean closed;

    /**
     * @param prober sends a GET to the URI and completes with the status, or exceptionally; never later than the
     *               timeout it is given
     */
    public HealthMonitor(Balancer balancer, HealthCheck check,
                         BiFunction<URI, Duration, CompletableFuture<Integer>> prober, Scheduler scheduler) {
        this.balancer = balancer;
        this.check = check;
        this.prober = prober;
        this.scheduler = scheduler;
    }

    /** Probes every current member now; completes when each first probe has ended. */
    public CompletableFuture<Void> start() {
        List<CompletableFuture<Void>> firstRound = new ArrayList<>();
        for (Member member : balancer.members()) {
            firstRound.add(probe(member));
        }
        return CompletableFuture.allOf(firstRound.toArray(new CompletableFuture<?>[0]));
    }

    /** Starts probing a member added after start. */
    public void watch(Member member) {
        probe(member);
    }

    private CompletableFuture<Void> probe(Member member) {
        if (closed || !balancer.members().contains(member)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Integer> answer;
        try {
            answer = prober.apply(target(member.backend()), check.timeout());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((status, failure) -> {
            if (failure == null) {
                boolean passed = check.healthy(status);
                balancer.probed(member, passed, passed ? "" : "probe answered " + status);
            } else {
                balancer.probed(member, false, "probe failed: " + describe(failure));
            }
            scheduleNext(member);
            return null;
        });
    }

    private void scheduleNext(Member member) {
        if (closed) {
            return;
        }
        long interval = check.interval().toNanos();
        long jitter = (long) (interval * JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1));
        scheduler.schedule(() -> probe(member), interval + jitter);
    }

    private URI target(Backend backend) {
        URI base = backend.uri();
        String path = check.path() != null ? check.path() : base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path);
    }

    private String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof SocketTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof TimeoutException) {
            return "no answer within " + check.timeout();
        }
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Stops scheduling probes; probes in flight end on their own timeout. */
    public void close() {
        closed = true;
    }
}
