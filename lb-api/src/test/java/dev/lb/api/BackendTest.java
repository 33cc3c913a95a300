package dev.lb.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class BackendTest {
    @Test
    void keepsTheUrlAsConfiguredAndNormalizesItsIdentity() {
        Backend backend = Backend.of(" http://Example.COM/api/ ", 3);
        assertEquals("http://Example.COM/api", backend.url());
        assertEquals(URI.create("http://example.com:80/api"), backend.uri());
        assertEquals(3, backend.weight());
        assertEquals(Backend.of("http://example.com:80/api"), backend);
        assertEquals(Backend.of("HTTPS://[::1]").uri(), URI.create("https://[::1]:443"));
        assertNotEquals(Backend.of("http://a:8080"), Backend.of("http://a:8081"));
    }

    @Test
    void rejectsBadUrlsNamingTheValueAndWhatIsExpected() {
        assertMessage("backend url: \"localhost:9001\" has scheme localhost"
                + " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)", "localhost:9001");
        assertMessage("backend url: \"/just/a/path\" has no scheme"
                + " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)", "/just/a/path");
        assertMessage("backend url: \"ftp://files\" has scheme ftp"
                + " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)", "ftp://files");
        assertMessage("backend url: \"http://\" is not a valid URL: Expected authority"
                + " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)", "http://");
        assertMessage("backend url: \"http://a b\" is not a valid URL: Illegal character in authority"
                + " (expected: an absolute http:// or https:// URL such as http://10.0.0.1:8080)", "http://a b");
        assertMessage("backend url: \"http://a/?x=1\""
                + " (expected: no query, fragment or user info; only scheme, host, port and base path)",
                "http://a/?x=1");
    }

    @Test
    void rejectsAWeightBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backend.of("http://a:1", 0));
        assertEquals("backend weight: 0 for http://a:1 (expected: >= 1)", e.getMessage());
    }

    private static void assertMessage(String expected, String url) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> Backend.of(url)).getMessage());
    }
}
