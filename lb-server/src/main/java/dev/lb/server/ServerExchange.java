package dev.lb.server;

import dev.lb.core.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** One request on a {@link ServerConnection}, seen through the core's {@link Exchange} contract. */
final class ServerExchange implements Exchange {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final RequestHead head;
    private final HttpOutput output;
    private final InetSocketAddress remoteAddress;
    private final RequestBody body;
    private final BooleanSupplier serverClosing;
    private boolean closeAfter;
    private ResponseBody response;

    /**
     * @param serverClosing whether the server is draining: responses then say {@code Connection: close}
     */
    ServerExchange(RequestHead head, HttpInput input, HttpOutput output, InetSocketAddress remoteAddress,
                   BooleanSupplier serverClosing) {
        this.head = head;
        this.output = output;
        this.remoteAddress = remoteAddress;
        this.serverClosing = serverClosing;
        this.closeAfter = !head.keepAlive;
        this.body = new RequestBody(input, head, this::sendContinue);
    }

    @Override
    public String method() {
        return head.method;
    }

    @Override
    public String target() {
        return head.target;
    }

    @Override
    public Optional<String> header(String name) {
        for (Map.Entry<String, List<String>> header : head.headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return Optional.of(header.getValue().get(0));
            }
        }
        return Optional.empty();
    }

    @Override
    public List<String> headers(String name) {
        for (Map.Entry<String, List<String>> header : head.headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return List.of();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Map<String, List<String>> requestHeaders() {
        return head.headers;
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
    public OutputStream respond(int status, Map<String, List<String>> headers, long bodyLength) throws IOException {
        if (response != null) {
            throw new IllegalStateException("respond called twice for " + head.method + " " + head.target);
        }
        // The client still waits for 100 Continue and may never send the body: it cannot be drained.
        closeAfter |= (head.expectContinue && !body.started()) || serverClosing.getAsBoolean();
        boolean noBody = status / 100 == 1 || status == 204;
        boolean announceOnly = head.method.equals("HEAD") || status == 304;
        ResponseBody.Framing framing;
        if (noBody || announceOnly) {
            framing = ResponseBody.Framing.NONE;
        } else if (bodyLength >= 0) {
            framing = ResponseBody.Framing.FIXED;
        } else if (head.http11) {
            framing = ResponseBody.Framing.CHUNKED;
        } else {
            framing = ResponseBody.Framing.UNTIL_CLOSE;
            closeAfter = true;
        }
        output.statusLine(status);
        boolean hasDate = false;
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            String name = header.getKey();
            hasDate |= name.equalsIgnoreCase("date");
            for (String value : header.getValue()) {
                output.header(name, value);
            }
        }
        if (!hasDate) {
            output.dateHeader();
        }
        if (bodyLength >= 0 && !noBody) {
            output.header("Content-Length", Long.toString(bodyLength));
        } else if (framing == ResponseBody.Framing.CHUNKED) {
            output.header("Transfer-Encoding", "chunked");
        }
        if (closeAfter) {
            output.header("Connection", "close");
        } else if (!head.http11) {
            output.header("Connection", "keep-alive");
        }
        output.endHead();
        response = new ResponseBody(output, framing, bodyLength);
        return response;
    }

    private void sendContinue() throws IOException {
        if (head.expectContinue && response == null) {
            output.write(CONTINUE, 0, CONTINUE.length);
            output.flush();
        }
    }

    boolean responseStarted() {
        return response != null;
    }

    /**
     * Completes the response if the core left its body open, then reads away the rest of an unread request body
     * (up to {@code maxBytes}) so that the next request starts at its first byte.
     *
     * @return whether the connection can carry another request
     */
    boolean finish(long maxBytes) throws IOException {
        response.close();
        if (closeAfter || !response.complete() || body.failed()) {
            return false;
        }
        if (body.done()) {
            return true;
        }
        byte[] scratch = new byte[8192];
        long drained = 0;
        while (!body.done()) {
            if (drained > maxBytes) {
                return false;
            }
            int read = body.read(scratch, 0, scratch.length);
            if (read < 0) {
                break;
            }
            drained += read;
        }
        return true;
    }

    RequestBody body() {
        return body;
    }
}
