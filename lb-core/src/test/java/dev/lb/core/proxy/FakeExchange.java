package dev.lb.core.proxy;

import dev.lb.core.Exchange;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An exchange with a fixed request that records the response the engine gives it. */
final class FakeExchange implements Exchange {
    private final String method;
    private final String target;
    private final Map<String, List<String>> headers;
    private final InputStream body;
    private final ByteArrayOutputStream responseBody = new ByteArrayOutputStream();
    int status = -1;
    Map<String, List<String>> responseHeaders;
    long announcedLength;
    boolean completed;

    FakeExchange(String method, String target, Map<String, List<String>> headers, InputStream body) {
        this.method = method;
        this.target = target;
        this.headers = headers;
        this.body = body;
    }

    static FakeExchange get(String target) {
        return new FakeExchange("GET", target, Map.of(), InputStream.nullInputStream());
    }

    static FakeExchange post(String target, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new FakeExchange("POST", target, Map.of("Content-Length", List.of(Integer.toString(bytes.length))),
                new ByteArrayInputStream(bytes));
    }

    String bodyText() {
        return responseBody.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public Optional<String> header(String name) {
        return headers(name).stream().findFirst();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public Map<String, List<String>> requestHeaders() {
        return headers;
    }

    @Override
    public InputStream requestBody() {
        return body;
    }

    @Override
    public boolean secure() {
        return false;
    }

    @Override
    public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) {
        if (this.status != -1) {
            throw new AssertionError("respond called twice");
        }
        this.status = status;
        this.responseHeaders = headers;
        this.announcedLength = bodyLength;
        return new OutputStream() {
            @Override
            public void write(int b) {
                responseBody.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                responseBody.write(b, off, len);
            }

            @Override
            public void close() {
                completed = true;
            }
        };
    }
}
