/**
 * {@link dev.lb.httpserver.HttpServerAdapter}: serve a load balancer on a port, or mount it on an
 * {@code HttpServer} you already run.
 */
package dev.lb.httpserver;
