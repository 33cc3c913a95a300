package dev.lb.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/** A keep-alive connection between requests holds no response buffer: it goes back to the server's pool. */
class IdleConnectionBufferTest extends MockBackendFixture {
    @Test
    void connectionsGiveTheirResponseBufferBackWhenTheyGoIdle() throws Exception {
        for (int i = 0; i < 6; i++) {
            backend.enqueue(new MockResponse.Builder().body("answer " + i).build());
        }
        BufferPool buffers = server.server.responseBuffers();
        try (RawClient a = server.connect(); RawClient b = server.connect(); RawClient c = server.connect()) {
            for (int round = 0; round < 2; round++) {
                for (RawClient client : List.of(a, b, c)) {
                    client.send(server.get("/r"));
                    assertEquals(200, client.read("GET").status());
                    TestServer.awaitTrue(() -> buffers.kept() == 1,
                            "the answering connection kept its buffer: " + buffers.kept() + " in the pool");
                }
            }
        }
        assertEquals(6, backend.getRequestCount());
    }
}
