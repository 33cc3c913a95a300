/**
 * The forwarding engine: the only code in the core that speaks HTTP to backends. Not exported.
 */
package dev.lb.core.proxy;
