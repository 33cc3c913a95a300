/**
 * Runnable examples: {@link dev.lb.examples.Standalone}, the standalone load balancer that reads the Go original's
 * {@code config.yaml}; {@link dev.lb.examples.FailoverStrategyProvider}, a strategy plugin; and
 * {@link dev.lb.examples.EmbeddingExample}, the library embedded in a few lines. Not a library.
 */
package dev.lb.examples;
