/**
 * {@link dev.lb.server.LbServer}: a fast HTTP/1.1 host for a load balancer, with {@link dev.lb.server.ServerOptions}
 * for its timeouts, connection limit and local routes.
 */
package dev.lb.server;
