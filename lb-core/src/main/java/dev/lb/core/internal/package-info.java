/**
 * The pool snapshot and the pick, and the executors for blocking work. Exported to the adapter only.
 */
package dev.lb.core.internal;
