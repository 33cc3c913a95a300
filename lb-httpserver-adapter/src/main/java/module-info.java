/**
 * Serves a {@link dev.lb.core.LoadBalancer} on the JDK's {@code com.sun.net.httpserver}.
 */
module dev.lb.httpserver {
    requires transitive dev.lb.core;
    requires transitive jdk.httpserver;
    requires org.slf4j;

    exports dev.lb.httpserver;
}
