/**
 * Per-client rate limiting: {@link dev.lb.core.ratelimit.TokenBucketLimiter}, exact and bounded token buckets
 * that know nothing of HTTP, and {@link dev.lb.core.ratelimit.ClientKeys}, which tells the client of a request,
 * trusting forwarding headers only from configured proxies. The load balancer wires them in through
 * {@code LoadBalancer.Builder.rateLimit(...)}.
 */
package dev.lb.core.ratelimit;
