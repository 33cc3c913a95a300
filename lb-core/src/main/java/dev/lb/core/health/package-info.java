/**
 * Active health checking: schedules probes and reports their results to the balancer. Not exported.
 */
package dev.lb.core.health;
