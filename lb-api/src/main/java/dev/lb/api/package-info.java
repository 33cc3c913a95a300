/**
 * Values and views shared by the load balancer and its plugins: {@link dev.lb.api.Backend} and
 * {@link dev.lb.api.RequestInfo}.
 */
package dev.lb.api;
