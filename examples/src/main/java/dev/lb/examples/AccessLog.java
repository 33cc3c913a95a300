package dev.lb.examples;

import dev.lb.api.Backend;
import dev.lb.api.RequestInfo;
import dev.lb.api.RequestListener;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runner's request log. With {@code access_log: true}, one INFO line per request on the logger
 * {@value #LOGGER}, so it can be routed apart: {@code client}, {@code method}, {@code path} (without the query,
 * which may carry secrets), {@code status}, {@code backend} ({@code none} when the load balancer answered itself),
 * {@code duration_ms} and {@code bytes}. Always, whether or not the access log is on: a WARN line on this class's
 * logger when a backend failed a request ({@code 502} or {@code 504}). Thread-safe.
 */
final class AccessLog implements RequestListener {
    /** The access log's logger name. */
    static final String LOGGER = "lb.access";
    private static final Logger access = LoggerFactory.getLogger(LOGGER);
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public void requestCompleted(RequestInfo request, Backend backend, int status, long durationNanos,
                                 long responseBytes) {
        if (backend != null && (status == 502 || status == 504) && log.isWarnEnabled()) {
            log.atWarn().setMessage("proxy error").addKeyValue("backend", backend.url())
                    .addKeyValue("status", status).addKeyValue("reason", reason(status))
                    .addKeyValue("method", request.method()).addKeyValue("path", path(request.target())).log();
        }
        if (enabled && access.isInfoEnabled()) {
            access.atInfo().setMessage("request").addKeyValue("client", client(request.remoteAddress()))
                    .addKeyValue("method", request.method()).addKeyValue("path", path(request.target()))
                    .addKeyValue("status", status).addKeyValue("backend", backend == null ? "none" : backend.url())
                    .addKeyValue("duration_ms", Math.round(durationNanos / 1e4) / 100.0)
                    .addKeyValue("bytes", responseBytes).log();
        }
    }

    private static String reason(int status) {
        return status == 502 ? "backend unreachable or broke the exchange" : "backend did not answer in time";
    }

    private static String client(InetSocketAddress address) {
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }

    private static String path(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }
}
