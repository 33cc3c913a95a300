/**
 * The pool snapshot and the pick. Not exported.
 */
package dev.lb.core.internal;
