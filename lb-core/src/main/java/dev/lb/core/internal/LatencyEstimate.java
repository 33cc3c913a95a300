package dev.lb.core.internal;

/**
 * A peak-EWMA latency estimate as of one instant, as Finagle and Linkerd keep it; immutable, so a member swaps
 * whole estimates by compare-and-set and concurrent answers never lose one another's update.
 *
 * @param nanos   the estimate when it was made
 * @param atNanos when it was made, on the balancer's clock
 */
record LatencyEstimate(double nanos, long atNanos) {
    static final LatencyEstimate NONE = new LatencyEstimate(0, 0);

    /** The estimate at {@code nowNanos}: decayed towards 0 over the time without answers, so slow ones are retried. */
    double at(long nowNanos, long decayNanos) {
        return nanos * remaining(nowNanos, decayNanos);
    }

    /**
     * Folds in one answered request's latency: a sample above the current estimate replaces it (the "peak", so a
     * backend that turns slow is avoided at once), a lower one moves the estimate towards it by the share of the
     * decay time that passed since the last update.
     */
    LatencyEstimate observe(long sampleNanos, long nowNanos, long decayNanos) {
        double remaining = remaining(nowNanos, decayNanos);
        double current = nanos * remaining;
        double next = sampleNanos > current ? sampleNanos : current + sampleNanos * (1 - remaining);
        return new LatencyEstimate(next, Math.max(nowNanos, atNanos));
    }

    /** The weight of the past after the time since this estimate; clocks read on other threads may lag it. */
    private double remaining(long nowNanos, long decayNanos) {
        return Math.exp(-Math.max(0, nowNanos - atNanos) / (double) decayNanos);
    }
}
