package dev.lb.core.strategy;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.spi.Strategy;
import dev.lb.core.internal.Balancer;
import dev.lb.core.internal.LatencyDecay;
import dev.lb.core.internal.ManualScheduler;
import dev.lb.core.internal.Member;
import dev.lb.core.internal.MemberLease;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A deterministic discrete-event simulation of the load balancer's decision logic: the real {@link Balancer},
 * members and strategies, on a virtual clock ({@link ManualScheduler}), with modelled backends instead of HTTP.
 *
 * <p>Requests arrive as a Poisson process at a fixed rate from a fixed set of client addresses. Each is picked by
 * the balancer and holds its lease until its response, so in-flight counts are real; each backend serves at most
 * {@code workers} requests at once, first come first served, with log-normal service times. When a request ends,
 * its latency (queueing plus service) is fed to the member as {@code LoadBalancer} feeds every answered attempt, so
 * {@code ewma} sees what it would see in production. Every draw comes from {@link Random}s seeded from one seed, so
 * a run is reproducible to the last request.
 */
final class StrategySimulation {
    private static final long NANOS_PER_MS = 1_000_000;
    private static final int CLIENTS = 1_000;

    /**
     * A modelled backend.
     *
     * @param name          its column title in the table
     * @param workers       requests it serves at once; more wait in its queue
     * @param meanServiceMs mean service time
     * @param sigma         the spread of the log-normal service time (0.5: p99 about 3x the median)
     */
    record BackendModel(String name, int workers, double meanServiceMs, double sigma) {
    }

    /**
     * One strategy's run.
     *
     * @param strategy its name
     * @param shares   the share of requests each backend got, in model order
     * @param p50Ms    median latency
     * @param p99Ms    99th percentile latency
     */
    record Result(String strategy, double[] shares, double p50Ms, double p99Ms) {
    }

    private final List<BackendModel> models;
    private final double arrivalsPerSecond;
    private final int requests;
    private final long seed;

    StrategySimulation(List<BackendModel> models, double arrivalsPerSecond, int requests, long seed) {
        this.models = List.copyOf(models);
        this.arrivalsPerSecond = arrivalsPerSecond;
        this.requests = requests;
        this.seed = seed;
    }

    /**
     * Every built-in strategy by name, with its random draws (if any) from {@code random}, so runs repeat exactly.
     */
    static Map<String, Strategy> builtIns(Supplier<? extends RandomGenerator> random) {
        Map<String, Strategy> strategies = new LinkedHashMap<>();
        strategies.put(RoundRobinProvider.NAME, new RoundRobin());
        strategies.put(WeightedRoundRobinProvider.NAME, new WeightedRoundRobin());
        strategies.put(RandomChoiceProvider.NAME, new RandomChoice(random));
        strategies.put(WeightedRandomProvider.NAME, new WeightedRandom(random));
        strategies.put(LeastConnectionsProvider.NAME, new LeastConnections());
        strategies.put(PowerOfTwoChoicesProvider.NAME, new PowerOfTwoChoices(random));
        strategies.put(PeakEwmaProvider.NAME, new PeakEwma(LatencyDecay.DEFAULT, random));
        strategies.put(ConsistentHashProvider.NAME, new ConsistentHash(HashKey.CLIENT_ADDRESS));
        return strategies;
    }

    /** Runs every built-in strategy on the same arrivals and service times. */
    List<Result> runAll() {
        Random strategyDraws = new Random(seed ^ 0x5DEECE66DL);
        List<Result> results = new ArrayList<>();
        builtIns(() -> strategyDraws).forEach((name, strategy) -> results.add(run(name, strategy)));
        return results;
    }

    /** Runs one strategy: {@code requests} arrivals, until the last one has been answered. */
    Result run(String name, Strategy strategy) {
        Random arrivals = new Random(seed);
        Random service = new Random(seed + 1);
        ManualScheduler clock = new ManualScheduler();
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            backends.add(Backend.of("http://10.0.0." + (i + 1) + ":8080"));
        }
        Balancer balancer = new Balancer(strategy, backends, Balancer.Settings.defaults(), clock);
        Server[] servers = new Server[models.size()];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = new Server(models.get(i), balancer.members().get(i));
        }
        RequestInfo[] clients = new RequestInfo[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = RequestInfo.of("GET", "/", new InetSocketAddress("172.16." + (i / 250) + "." + (i % 250),
                    40_000), Map.of());
        }

        PriorityQueue<Request> completions = new PriorityQueue<>((a, b) -> Long.compare(a.endNanos, b.endNanos));
        long[] latencies = new long[requests];
        int[] served = new int[servers.length];
        int answered = 0;
        long nextArrival = interArrival(arrivals);
        int arrived = 0;
        while (answered < requests) {
            boolean arrival = arrived < requests
                    && (completions.isEmpty() || nextArrival < completions.peek().endNanos);
            long now = arrival ? nextArrival : completions.peek().endNanos;
            clock.advance(Duration.ofNanos(now - clock.nanoTime()));
            if (arrival) {
                MemberLease lease = balancer.pick(clients[arrivals.nextInt(CLIENTS)]);
                Server server = serverOf(servers, lease.member());
                Request request = new Request(lease, server, now);
                server.accept(request, now, service, completions);
                arrived++;
                nextArrival = now + interArrival(arrivals);
            } else {
                Request done = completions.poll();
                long latency = now - done.arrivalNanos;
                done.lease.release();
                done.lease.member().observeLatency(latency, now);
                done.server.finished(now, service, completions);
                latencies[answered++] = latency;
                served[Arrays.asList(servers).indexOf(done.server)]++;
            }
        }
        Arrays.sort(latencies);
        double[] shares = new double[servers.length];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = (double) served[i] / requests;
        }
        return new Result(name, shares, percentileMs(latencies, 0.50), percentileMs(latencies, 0.99));
    }

    /** The results as a table, one row per strategy: traffic share per backend, then p50 and p99. */
    String table(List<Result> results) {
        StringBuilder table = new StringBuilder(String.format("%-22s", "strategy"));
        for (BackendModel model : models) {
            table.append(String.format("%16s", model.name()));
        }
        table.append(String.format("%10s%10s%n", "p50 ms", "p99 ms"));
        for (Result result : results) {
            table.append(String.format("%-22s", result.strategy()));
            for (double share : result.shares()) {
                table.append(String.format("%15.1f%%", share * 100));
            }
            table.append(String.format("%10.1f%10.1f%n", result.p50Ms(), result.p99Ms()));
        }
        return table.toString();
    }

    private long interArrival(Random random) {
        return Math.round(-Math.log(1 - random.nextDouble()) / arrivalsPerSecond * 1e9);
    }

    private static Server serverOf(Server[] servers, Member member) {
        for (Server server : servers) {
            if (server.member == member) {
                return server;
            }
        }
        throw new AssertionError("picked " + member + ", which is not simulated");
    }

    private static double percentileMs(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / (double) NANOS_PER_MS;
    }

    /** One request: its lease from arrival to answer. */
    private static final class Request {
        final MemberLease lease;
        final Server server;
        final long arrivalNanos;
        long endNanos;

        Request(MemberLease lease, Server server, long arrivalNanos) {
            this.lease = lease;
            this.server = server;
            this.arrivalNanos = arrivalNanos;
        }
    }

    /** A modelled backend: {@code workers} at once, the rest wait first come, first served. */
    private static final class Server {
        final BackendModel model;
        final Member member;
        final ArrayDeque<Request> waiting = new ArrayDeque<>();
        int busy;

        Server(BackendModel model, Member member) {
            this.model = model;
            this.member = member;
        }

        void accept(Request request, long now, Random service, PriorityQueue<Request> completions) {
            if (busy < model.workers()) {
                start(request, now, service, completions);
            } else {
                waiting.add(request);
            }
        }

        void finished(long now, Random service, PriorityQueue<Request> completions) {
            busy--;
            Request next = waiting.poll();
            if (next != null) {
                start(next, now, service, completions);
            }
        }

        private void start(Request request, long now, Random service, PriorityQueue<Request> completions) {
            busy++;
            // Log-normal with the model's mean: mu = ln(mean) - sigma^2 / 2.
            double mu = Math.log(model.meanServiceMs()) - model.sigma() * model.sigma() / 2;
            double serviceMs = Math.exp(mu + model.sigma() * service.nextGaussian());
            request.endNanos = now + Math.round(serviceMs * NANOS_PER_MS);
            completions.add(request);
        }
    }
}
