package dev.lb.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lb.api.RequestInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientKeysTest {
    private static final ClientKeys BEHIND_PROXIES = ClientKeys.peerAddress()
            .withTrustedProxies(List.of("10.0.0.0/8", "192.168.1.10", "fd00::/8"));

    /** A request from {@code peer} with header lines given as name, value, name, value... */
    static RequestInfo request(String peer, String... headerLines) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerLines.length; i += 2) {
            headers.computeIfAbsent(headerLines[i], name -> new ArrayList<>()).add(headerLines[i + 1]);
        }
        try {
            return RequestInfo.of("GET", "/", new InetSocketAddress(InetAddress.getByName(peer), 50_000), headers);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void byDefaultTheKeyIsThePeerAddress() {
        assertEquals("203.0.113.7", ClientKeys.peerAddress().key(request("203.0.113.7")));
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreIgnored() {
        ClientKeys keys = ClientKeys.peerAddress();
        assertEquals("203.0.113.7", keys.key(request("203.0.113.7", "X-Forwarded-For", "198.51.100.1")));
        assertEquals("203.0.113.7", BEHIND_PROXIES.key(request("203.0.113.7", "X-Forwarded-For", "198.51.100.1",
                "Forwarded", "for=198.51.100.2")), "a client cannot choose its key");
    }

    @Test
    void behindATrustedProxyTheClientIsTheRightMostUntrustedAddress() {
        // The client sent a forged entry on the left; our proxies appended what they saw.
        RequestInfo request = request("10.0.0.2",
                "X-Forwarded-For", "6.6.6.6, 198.51.100.23, 192.168.1.10, 10.1.2.3");

        assertEquals("198.51.100.23", BEHIND_PROXIES.key(request));
    }

    @Test
    void aProxyThatAddsAHeaderLineInsteadOfAppendingIsReadFromTheLastLine() {
        RequestInfo request = request("10.0.0.2",
                "X-Forwarded-For", "6.6.6.6",
                "x-forwarded-for", "198.51.100.23, 10.9.9.9");

        assertEquals("198.51.100.23", BEHIND_PROXIES.key(request));
    }

    @Test
    void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
        assertEquals("10.7.7.7", BEHIND_PROXIES.key(request("10.0.0.2", "X-Forwarded-For", "10.7.7.7, 10.1.1.1")));
        assertEquals("10.0.0.2", BEHIND_PROXIES.key(request("10.0.0.2")), "no header: the peer itself");
    }

    @Test
    void anEntryThatIsNotAnAddressLeavesTheNearestTrustedHopAsTheClient() {
        assertEquals("10.1.1.1", BEHIND_PROXIES.key(request("10.0.0.2",
                "X-Forwarded-For", "198.51.100.1, unknown, 10.1.1.1")));
        assertEquals("10.0.0.2", BEHIND_PROXIES.key(request("10.0.0.2", "X-Forwarded-For", "evil.example")),
                "never resolved as a host name");
        assertEquals("10.0.0.2", BEHIND_PROXIES.key(request("10.0.0.2", "X-Forwarded-For", "127.1")));
    }

    @Test
    void forwardedForEntriesMayCarryPortsAndBrackets() {
        assertEquals("198.51.100.23", BEHIND_PROXIES.key(request("10.0.0.2", "X-Forwarded-For",
                "198.51.100.23:4711")));
        assertEquals("2001:db8:cafe:1::/64", BEHIND_PROXIES.key(request("10.0.0.2", "X-Forwarded-For",
                "[2001:db8:cafe:1::17]:4711")));
        assertEquals("2001:db8:cafe:1::/64", BEHIND_PROXIES.key(request("fd00::1", "X-Forwarded-For",
                "2001:db8:cafe:1::17")));
    }

    @Test
    void theForwardedHeaderIsReadWhenConfigured() {
        ClientKeys keys = BEHIND_PROXIES.withForwardedHeader("forwarded");
        RequestInfo request = request("10.0.0.2",
                "X-Forwarded-For", "6.6.6.6",
                "Forwarded", "for=6.6.6.7;proto=https",
                "Forwarded", "For=\"198.51.100.17:8080\";by=10.0.0.9, for=\"[fd00::5]\";proto=\"a,b;c\"");

        assertEquals("198.51.100.17", keys.key(request));
        assertEquals("2001:db8::/64", keys.key(request("10.0.0.2", "Forwarded", "for=\"[2001:db8::1]:443\"")));
        assertEquals("10.0.0.2", keys.key(request("10.0.0.2", "Forwarded", "for=_hidden;proto=http")),
                "an obfuscated client: the proxy stands for it");
        assertEquals("10.0.0.2", keys.key(request("10.0.0.2", "Forwarded", "proto=http")));
        assertEquals("6.6.6.6", BEHIND_PROXIES.key(request), "only the configured header is read");
    }

    @Test
    void forwardedElementsKeepQuotedCommasAndSemicolonsTogether() {
        List<String> nodes = new ArrayList<>();
        ClientKeys.forwardedFor("for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\", "
                + "by=\"x,y\";for=\"a\\\"b\", ,for=unknown", nodes);

        assertEquals(List.of("192.0.2.60", "[2001:db8:cafe::17]:4711", "a\"b", "unknown"), nodes);
    }

    @ParameterizedTest
    @CsvSource({
            "2001:db8:1:2:3:4:5:6, 64, 2001:db8:1:2::/64",
            "2001:db8:1:2:ffff:4:5:6, 48, 2001:db8:1::/48",
            "2001:db8:1:2:3:4:5:6, 128, 2001:db8:1:2:3:4:5:6",
            "2001:db8:0:0:1:0:0:1, 128, 2001:db8::1:0:0:1",
            "::1, 64, ::/64",
            "::ffff:192.0.2.1, 64, 192.0.2.1",
    })
    void ipv6ClientsAreKeyedByTheirPrefix(String peer, int prefix, String key) {
        assertEquals(key, ClientKeys.peerAddress().withIpv6Prefix(prefix).key(request(peer)));
    }

    @Test
    void oneHostRotatingThroughItsSlash64KeepsOneKey() {
        ClientKeys keys = ClientKeys.peerAddress();
        assertEquals(keys.key(request("2001:db8:1:2::1")), keys.key(request("2001:db8:1:2:abcd:ef01:2345:6789")));
    }

    @Test
    void aKeyFunctionTakesPrecedenceAndFallsBackToTheAddress() {
        ClientKeys keys = BEHIND_PROXIES.withKeyFunction(request -> request.header("X-Api-Key").map(k -> "api:" + k));

        assertEquals("api:abc", keys.key(request("203.0.113.7", "X-Api-Key", "abc")));
        assertEquals("198.51.100.1", keys.key(request("10.0.0.1", "X-Forwarded-For", "198.51.100.1")));
    }

    @Test
    void aKeyFunctionThatFailsFallsBackToTheAddress() {
        ClientKeys throwing = ClientKeys.peerAddress().withKeyFunction(request -> {
            throw new IllegalStateException("bug in the application's function");
        });
        ClientKeys returningNull = ClientKeys.peerAddress().withKeyFunction(request -> null);

        assertEquals("203.0.113.7", throwing.key(request("203.0.113.7")));
        assertEquals("203.0.113.7", throwing.key(request("203.0.113.7")));
        assertEquals("203.0.113.7", returningNull.key(request("203.0.113.7")));
    }

    @Test
    void trustedProxiesAreNormalized() {
        assertEquals(List.of("10.0.0.0/8", "192.168.1.10", "fd00::/8", "2001:db8::1"),
                ClientKeys.peerAddress().withTrustedProxies(List.of(" 10.0.0.0/8", "192.168.1.10/32", "FD00::/8",
                        "2001:DB8:0::1")).trustedProxies());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.0.0/33    | trustedProxies: \"10.0.0.0/33\" (expected: a prefix length from 0 to 32 for IPv4)",
            "fd00::/129     | trustedProxies: \"fd00::/129\" (expected: a prefix length from 0 to 128 for IPv6)",
            "10.0.0.0/      | trustedProxies: \"10.0.0.0/\" (expected: a prefix length from 0 to 32 for IPv4)",
            "10.0.0.0/-1    | trustedProxies: \"10.0.0.0/-1\" (expected: a prefix length from 0 to 32 for IPv4)",
            "10.0.0.1/8     | trustedProxies: \"10.0.0.1/8\" has bits set beyond the prefix (expected: 10.0.0.0/8)",
            "fd00::1/8      | trustedProxies: \"fd00::1/8\" has bits set beyond the prefix (expected: fd00::/8)",
            "localhost      | trustedProxies: \"localhost\" (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)",
            "256.0.0.0/8    | trustedProxies: \"256.0.0.0/8\" (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)",
            "010.0.0.0/8    | trustedProxies: \"010.0.0.0/8\" (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)",
            "fe80::1%eth0   | trustedProxies: \"fe80::1%eth0\" (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)",
    })
    void invalidTrustedProxiesNameTheValueAndWhatIsExpected(String cidr, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> ClientKeys.peerAddress().withTrustedProxies(List.of(cidr))).getMessage());
    }

    @Test
    void otherBadSettingsNameTheFieldAndTheValue() {
        assertEquals("ipv6Prefix: 129 (expected: from 1 to 128)", assertThrows(IllegalArgumentException.class,
                () -> ClientKeys.peerAddress().withIpv6Prefix(129)).getMessage());
        assertEquals("ipv6Prefix: 0 (expected: from 1 to 128)", assertThrows(IllegalArgumentException.class,
                () -> ClientKeys.peerAddress().withIpv6Prefix(0)).getMessage());
        assertEquals("forwardedHeader: \"X-Real-IP\" (expected: X-Forwarded-For or Forwarded)",
                assertThrows(IllegalArgumentException.class,
                        () -> ClientKeys.peerAddress().withForwardedHeader("X-Real-IP")).getMessage());
    }

    @Test
    void addressesParseWithoutNameLookups() {
        assertEquals(null, IpAddresses.parse("example.com"));
        assertEquals(null, IpAddresses.parse("1.2.3"));
        assertEquals(null, IpAddresses.parse(":::"));
        assertEquals(null, IpAddresses.parseNode("[1.2.3.4]"));
        assertEquals(null, IpAddresses.parseNode("1.2.3.4:http"));
        assertEquals(Map.of("v4", "1.2.3.4", "v6", "2001:db8::1"), Map.of(
                "v4", IpAddresses.parseNode("1.2.3.4:80").getHostAddress(),
                "v6", IpAddresses.toText((java.net.Inet6Address) IpAddresses.parseNode("[2001:DB8::1]"))));
    }
}
