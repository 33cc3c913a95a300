package dev.lb.api;

/**
 * Hears about every request the load balancer answers, for metrics and access logs; it never decides anything.
 * The method has a no-op default so more can be added. Called on the request's thread after the response: keep
 * it fast, non-blocking and never throwing (an exception is logged and ignored). No object is built for a
 * request when no listener is registered.
 */
public interface RequestListener {
    /**
     * A request was answered, by a backend or by the load balancer itself.
     *
     * @param request       the request (valid only during this call)
     * @param backend       the backend that answered, or {@code null} when the load balancer did ({@code 429},
     *                      {@code 503}, {@code 400})
     * @param status        the status sent to the client, or {@code 0} when the response could not be completed
     *                      and the connection was dropped
     * @param durationNanos from the request's arrival to the end of its response
     * @param responseBytes response body bytes sent to the client
     */
    default void requestCompleted(RequestInfo request, Backend backend, int status, long durationNanos,
                                  long responseBytes) {
    }
}
