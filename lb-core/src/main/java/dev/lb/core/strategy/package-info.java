/**
 * The built-in strategies, reachable through {@link dev.lb.core.strategy.Strategies} and by name.
 */
package dev.lb.core.strategy;
