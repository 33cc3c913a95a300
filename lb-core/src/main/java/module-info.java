/**
 * The load balancer: {@link dev.lb.core.LoadBalancer} and its builder, the built-in strategies, and forwarding with
 * its own HTTP/1.1 client. Host adapters implement {@link dev.lb.core.Exchange}.
 */
// Micrometer has no module descriptor
@SuppressWarnings("requires-automatic")
module dev.lb.core {
    requires transitive dev.lb.api;
    requires org.slf4j;
    requires static micrometer.core;

    exports dev.lb.core;
    exports dev.lb.core.ratelimit;
    exports dev.lb.core.strategy;
    exports dev.lb.core.metrics;

    uses dev.lb.api.spi.StrategyProvider;
    provides dev.lb.api.spi.StrategyProvider with
            dev.lb.core.strategy.RoundRobinProvider,
            dev.lb.core.strategy.LeastConnectionsProvider,
            dev.lb.core.strategy.WeightedRoundRobinProvider,
            dev.lb.core.strategy.RandomChoiceProvider,
            dev.lb.core.strategy.WeightedRandomProvider,
            dev.lb.core.strategy.PowerOfTwoChoicesProvider,
            dev.lb.core.strategy.ConsistentHashProvider,
            dev.lb.core.strategy.PeakEwmaProvider;
}
