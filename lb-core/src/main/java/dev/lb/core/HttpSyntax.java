package dev.lb.core;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 syntax (RFC 9110, RFC 9112) that every part reading or checking a message shares: the host server's
 * request parser, the engine's response parser and request encoder, and strategy options that name a header.
 * Message heads are bytes read as ISO-8859-1, one character per byte, so any byte survives a round trip.
 */
public final class HttpSyntax {
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";
    // Header names most clients and backends send, spelled as they send them: shared instead of decoded anew.
    private static final String[] COMMON_NAMES = {"Host", "User-Agent", "Accept", "Accept-Encoding",
        "Accept-Language", "Cookie", "Authorization", "Date", "Server", "Content-Type", "Content-Length",
        "Connection", "Last-Modified", "ETag", "Accept-Ranges", "Cache-Control", "Vary", "Keep-Alive",
        "Transfer-Encoding", "Expires", "Content-Encoding", "Location", "Set-Cookie"};

    private HttpSyntax() {
    }

    /** Whether {@code c} (a character, or a byte as {@code b & 0xff}) is an RFC 9110 token character. */
    public static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c > ' ' && c < 0x7f && TOKEN_SYMBOLS.indexOf(c) >= 0;
    }

    /** Whether {@code text} is a token, the syntax of methods and header names: not empty, token characters only. */
    public static boolean isToken(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isTokenChar(text.charAt(i))) {
                return false;
            }
        }
        return text.length() > 0;
    }

    /** The bytes from {@code from} to {@code to} as ISO-8859-1 text. */
    public static String text(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** A header name from {@code from} to {@code to}: one of the common names when spelled exactly so. */
    public static String headerName(byte[] bytes, int from, int to) {
        for (String common : COMMON_NAMES) {
            if (common.length() == to - from && spells(bytes, from, common)) {
                return common;
            }
        }
        return text(bytes, from, to);
    }

    private static boolean spells(byte[] bytes, int from, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (bytes[from + i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The first index from {@code from} that is not a space or tab, or {@code to}. */
    public static int skipWhitespace(byte[] bytes, int from, int to) {
        while (from < to && isWhitespace(bytes[from])) {
            from++;
        }
        return from;
    }

    /** {@code to} moved back over the spaces and tabs that end the bytes, but not before {@code from}. */
    public static int trimWhitespace(byte[] bytes, int from, int to) {
        while (to > from && isWhitespace(bytes[to - 1])) {
            to--;
        }
        return to;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    /**
     * The value of a decimal field such as {@code Content-Length} or {@code Retry-After}: 1 to 18 ASCII digits
     * (so it fits a long), no sign or space; -1 for anything else.
     */
    public static long digits(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Whether a control character other than tab (which a header value must not hold) is among the bytes. */
    public static boolean hasControlCharacter(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b >= 0 && b < ' ' && b != '\t' || b == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
