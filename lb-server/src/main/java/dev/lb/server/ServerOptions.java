package dev.lb.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an {@link LbServer}: client timeouts, the connection limit and local routes. Immutable; built by
 * {@link #builder()}, whose setters check their argument and throw {@link IllegalArgumentException} naming it.
 *
 * <p>Defaults: {@link #DEFAULT_HEADER_READ_TIMEOUT}, {@link #DEFAULT_BODY_READ_TIMEOUT},
 * {@link #DEFAULT_IDLE_TIMEOUT}, {@link #DEFAULT_WRITE_TIMEOUT}; at most {@value #DEFAULT_MAX_CONNECTIONS_VIRTUAL} connections on Java 21+ (a
 * virtual thread each) and {@value #DEFAULT_MAX_CONNECTIONS_PLATFORM} on 17-20 (a platform thread each).
 */
public final class ServerOptions {
    /** From the first byte of a request to the end of its headers; then {@code 408} and close. */
    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    /** Longest wait for the next byte of a request body; then the body read fails and the connection closes. */
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(60);
    /** Longest a keep-alive connection may wait for its next request; then it is closed quietly. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Longest a write may wait for the client to take bytes (a client not reading); then the connection closes. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** Connections open at once on Java 21+, each on a virtual thread. */
    public static final int DEFAULT_MAX_CONNECTIONS_VIRTUAL = 10_000;
    /** Connections open at once on Java 17-20, each holding a platform thread. */
    public static final int DEFAULT_MAX_CONNECTIONS_PLATFORM = 512;

    private final Duration headerReadTimeout;
    private final Duration bodyReadTimeout;
    private final Duration idleTimeout;
    private final Duration writeTimeout;
    private final int maxConnections;
    private final Map<String, LocalRoute> routes;

    private ServerOptions(Builder builder) {
        this.headerReadTimeout = builder.headerReadTimeout;
        this.bodyReadTimeout = builder.bodyReadTimeout;
        this.idleTimeout = builder.idleTimeout;
        this.writeTimeout = builder.writeTimeout;
        this.maxConnections = builder.maxConnections;
        this.routes = Map.copyOf(builder.routes);
    }

    /** The defaults: see the class description. */
    public static ServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration headerReadTimeout() {
        return headerReadTimeout;
    }

    public Duration bodyReadTimeout() {
        return bodyReadTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** The connection limit set, or 0 for the default of the runtime (see the class description). */
    public int maxConnections() {
        return maxConnections;
    }

    /** The local routes by exact path. */
    public Map<String, LocalRoute> routes() {
        return routes;
    }

    /** Builds {@link ServerOptions}; not thread-safe. */
    public static final class Builder {
        private Duration headerReadTimeout = DEFAULT_HEADER_READ_TIMEOUT;
        private Duration bodyReadTimeout = DEFAULT_BODY_READ_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private int maxConnections;
        private final Map<String, LocalRoute> routes = new LinkedHashMap<>();

        private Builder() {
        }

        /** From the first byte of a request to the end of its headers; then {@code 408} and close. Default 10 s. */
        public Builder headerReadTimeout(Duration timeout) {
            headerReadTimeout = positiveMillis("headerReadTimeout", timeout);
            return this;
        }

        /** Longest wait for the next byte of a request body; then the connection closes. Default 60 s. */
        public Builder bodyReadTimeout(Duration timeout) {
            bodyReadTimeout = positiveMillis("bodyReadTimeout", timeout);
            return this;
        }

        /** Longest an idle keep-alive connection waits for its next request; then it closes. Default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            idleTimeout = positiveMillis("idleTimeout", timeout);
            return this;
        }

        /**
         * Longest one write may wait for the client to take bytes; then the connection closes (the client stopped
         * reading, e.g. a slow-read attack). Default 60 s.
         */
        public Builder writeTimeout(Duration timeout) {
            writeTimeout = positiveMillis("writeTimeout", timeout);
            return this;
        }

        /**
         * Connections open at once; a connection beyond them is answered {@code 503} with {@code Retry-After: 1}
         * and closed at once. Default: see {@link ServerOptions}.
         */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnections: " + connections + " (expected: >= 1)");
            }
            maxConnections = connections;
            return this;
        }

        /**
         * Answers requests whose path (the target before any {@code ?}) is exactly {@code path} with {@code route}
         * instead of proxying them; such requests skip the load balancer's rate limit and counters.
         */
        public Builder route(String path, LocalRoute route) {
            Objects.requireNonNull(route, "route");
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("route path: " + path + " (expected: a path starting with /)");
            }
            if (routes.putIfAbsent(path, route) != null) {
                throw new IllegalArgumentException("route path: " + path + " (expected: one route per path)");
            }
            return this;
        }

        public ServerOptions build() {
            return new ServerOptions(this);
        }

        private static Duration positiveMillis(String field, Duration value) {
            Objects.requireNonNull(value, field);
            if (value.toMillis() < 1 || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException(field + ": " + value + " (expected: 1 ms to 24 days)");
            }
            return value;
        }
    }
}
