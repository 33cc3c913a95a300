/**
 * Micrometer metrics for a load balancer: {@link dev.lb.core.metrics.LoadBalancerMetrics}. The only package that
 * uses Micrometer, which is an optional dependency.
 */
package dev.lb.core.metrics;
