package dev.lb.core.ratelimit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 address block such as {@code 10.0.0.0/8}; a bare address is a block of one. Immutable. */
final class Cidr {
    private final byte[] network;
    private final int bits;

    private Cidr(byte[] network, int bits) {
        this.network = network;
        this.bits = bits;
    }

    /**
     * Parses {@code address/bits} or a bare address.
     *
     * @param field named in the message when the text is invalid
     * @throws IllegalArgumentException if it is not an address literal, the prefix length is out of range, or
     *                                  bits beyond the prefix are set (a likely typo)
     */
    static Cidr parse(String field, String text) {
        String expected = " (expected: an IP address or CIDR block such as 10.0.0.0/8, 192.168.1.10 or fd00::/8)";
        int slash = text.indexOf('/');
        InetAddress address = IpAddresses.parse(slash < 0 ? text : text.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException(field + ": \"" + text + "\"" + expected);
        }
        int max = address.getAddress().length * 8;
        int bits = max;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            bits = length.matches("\\d{1,3}") ? Integer.parseInt(length) : -1;
            if (bits < 0 || bits > max) {
                throw new IllegalArgumentException(field + ": \"" + text + "\" (expected: a prefix length from 0 to "
                        + max + " for " + (address instanceof Inet4Address ? "IPv4" : "IPv6") + ")");
            }
        }
        byte[] network = IpAddresses.mask(address.getAddress(), bits);
        if (!Arrays.equals(network, address.getAddress())) {
            throw new IllegalArgumentException(field + ": \"" + text + "\" has bits set beyond the prefix (expected: "
                    + new Cidr(network, bits) + ")");
        }
        return new Cidr(network, bits);
    }

    /** Whether the address lies in this block. */
    boolean contains(InetAddress address) {
        return IpAddresses.samePrefix(network, address.getAddress(), bits);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && bits == cidr.bits && Arrays.equals(network, cidr.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + bits;
    }

    @Override
    public String toString() {
        InetAddress address = IpAddresses.fromBytes(network);
        String text = address instanceof Inet4Address ? address.getHostAddress()
                : IpAddresses.toText((Inet6Address) address);
        return bits == network.length * 8 ? text : text + "/" + bits;
    }
}
