package dev.lb.api;

/**
 * Hears about backend state changes. Every method has a no-op default, so new events can be added without
 * breaking implementations. Called on the load balancer's own threads: keep it fast, non-blocking and never
 * throwing (an exception is logged and ignored).
 */
public interface BackendListener {
    /** A backend changed status (e.g. UP to DOWN); called once per transition, in order for one backend. */
    default void stateChanged(BackendState previous, BackendState current) {
    }

    /** A backend joined the pool, at start or through {@code addBackend}. */
    default void added(BackendState state) {
    }

    /** An active health probe of a backend ended; {@code reason} says why it failed, empty when it passed. */
    default void probed(Backend backend, boolean passed, String reason) {
    }

    /** A backend left the pool after draining. */
    default void removed(Backend backend) {
    }
}
