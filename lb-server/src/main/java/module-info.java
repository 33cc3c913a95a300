/**
 * Serves a {@link dev.lb.core.LoadBalancer} on its own HTTP/1.1 server.
 */
module dev.lb.server {
    requires transitive dev.lb.core;
    requires org.slf4j;

    exports dev.lb.server;
}
