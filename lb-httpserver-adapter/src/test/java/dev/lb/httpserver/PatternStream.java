package dev.lb.httpserver;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A deterministic stream of pseudo-random bytes generated on the fly, so tests can move gigabytes without
 * holding them. Byte {@code i} depends only on the seed and {@code i}, not on how the stream is read.
 */
final class PatternStream extends InputStream {
    private final long length;
    private final long seed;
    private long position;
    private long block = -1;
    private long blockBits;

    PatternStream(long length, long seed) {
        this.length = length;
        this.seed = seed;
    }

    long position() {
        return position;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int count) {
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(count, length - position);
        for (int i = 0; i < n; i++) {
            long index = position + i;
            if (index >>> 3 != block) {
                block = index >>> 3;
                blockBits = mix(seed + block);
            }
            buffer[offset + i] = (byte) (blockBits >>> ((index & 7) << 3));
        }
        position += n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }

    /** SplitMix64's finalizer: a cheap, well-spread function of one long. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
