package dev.lb.core.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses and prints IP address literals without ever asking a name service. */
final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * Parses an IPv4 or IPv6 literal, or returns null when the text is not one. Host names, IPv6 scope ids and
     * the lenient IPv4 forms ({@code 127.1}, octal) are refused. An IPv4-mapped IPv6 address yields the IPv4 one.
     */
    static InetAddress parse(String text) {
        if (text.indexOf(':') < 0) {
            byte[] v4 = parseIpv4(text);
            return v4 == null ? null : fromBytes(v4);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
        }
        try {
            // In brackets the JDK parses an IPv6 literal or fails; it never falls back to a name lookup.
            return InetAddress.getByName("[" + text + "]");
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * Parses the address at the start of a forwarding header's node: {@code 192.0.2.1}, {@code 192.0.2.1:8080},
     * {@code 2001:db8::1}, {@code [2001:db8::1]} or {@code [2001:db8::1]:8080}; null for anything else, such as
     * {@code unknown} or an obfuscated identifier.
     */
    static InetAddress parseNode(String node) {
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            if (close < 0 || !isPortSuffix(node, close + 1)) {
                return null;
            }
            String inside = node.substring(1, close);
            return inside.indexOf(':') < 0 ? null : parse(inside);
        }
        int colon = node.indexOf(':');
        if (colon >= 0 && colon == node.lastIndexOf(':')) { // IPv4 with a port
            return isPortSuffix(node, colon) ? parse(node.substring(0, colon)) : null;
        }
        return parse(node);
    }

    private static boolean isPortSuffix(String text, int from) {
        if (from == text.length()) {
            return true;
        }
        if (text.charAt(from) != ':' || from + 1 == text.length() || text.length() - from > 6) {
            return false;
        }
        for (int i = from + 1; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (digits == 3 || (digits == 1 && value == 0)) { // too long, or a leading zero (octal elsewhere)
                    return null;
                }
                value = value * 10 + (c - '0');
                digits++;
            } else if (c == '.' && digits > 0 && value <= 255 && part < 4) {
                bytes[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        return part == 4 ? bytes : null;
    }

    static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + bytes.length + " bytes", e);
        }
    }

    /** The first {@code bits} bits of the address, the rest zero. */
    static byte[] mask(byte[] address, int bits) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            masked[i] &= (byte) (0xff00 >>> keep);
        }
        return masked;
    }

    /** Whether the first {@code bits} bits of two addresses of the same family are equal. */
    static boolean samePrefix(byte[] a, byte[] b, int bits) {
        if (a.length != b.length) {
            return false;
        }
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        return rest == 0 || ((a[whole] ^ b[whole]) & (0xff00 >>> rest) & 0xff) == 0;
    }

    /** An IPv6 address in the RFC 5952 text form: lower case, the longest run of zero groups as {@code ::}. */
    static String toText(Inet6Address address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
