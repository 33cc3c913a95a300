/**
 * {@link dev.lb.core.LoadBalancer}, its builder, and {@link dev.lb.core.Exchange}, the contract a host server
 * adapter implements.
 */
package dev.lb.core;
