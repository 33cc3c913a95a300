package dev.lb.core.strategy;

/** Compares backends' load relative to their weight, for the strategies that read in-flight counts. */
final class Load {
    private Load() {
    }

    /**
     * Whether a backend with {@code inFlight} requests and weight {@code weight} is less loaded than another.
     * Load is (in flight + 1) / weight: the share of its capacity a backend would use after taking this request.
     * The +1 lets weights matter while backends are idle (0 / 5 would tie with 0 / 1); with equal weights it orders
     * exactly as the in-flight counts do. Cross-multiplied: no division; exact for whole weights, which double
     * products represent exactly, and slow start's fractional weights need doubles anyway.
     */
    static boolean lighter(int inFlight, double weight, int otherInFlight, double otherWeight) {
        return (inFlight + 1.0) * otherWeight < (otherInFlight + 1.0) * weight;
    }
}
