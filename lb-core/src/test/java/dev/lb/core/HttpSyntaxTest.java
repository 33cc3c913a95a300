package dev.lb.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpSyntaxTest {
    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void tokensAreVisibleAsciiWithoutDelimiters() {
        assertTrue(HttpSyntax.isToken("X-Request_ID.v2!#$%&'*+^`|~"));
        for (char delimiter : "\"(),/:;<=>?@[\\]{} \t".toCharArray()) {
            assertFalse(HttpSyntax.isToken("a" + delimiter + "b"), "with " + delimiter);
        }
        assertFalse(HttpSyntax.isToken(""));
        assertFalse(HttpSyntax.isToken("caf\u00e9"));
        assertFalse(HttpSyntax.isTokenChar(0x7f));
        assertFalse(HttpSyntax.isTokenChar((byte) 0xe9 & 0xff));
    }

    @Test
    void commonHeaderNamesAreSharedOnlyWhenSpelledExactlySo() {
        byte[] line = latin1("xContent-Typex");
        String name = HttpSyntax.headerName(line, 1, 13);
        assertEquals("Content-Type", name);
        assertSame(name, HttpSyntax.headerName(latin1("Content-Type"), 0, 12));

        String lower = HttpSyntax.headerName(latin1("content-type"), 0, 12);
        assertEquals("content-type", lower, "the sender's spelling is kept");
        String rare = HttpSyntax.headerName(latin1("X-Trace"), 0, 7);
        assertEquals("X-Trace", rare);
        assertNotSame(rare, HttpSyntax.headerName(latin1("X-Trace"), 0, 7));
    }

    @Test
    void whitespaceIsTrimmedWithinTheRangeAndControlCharactersAreFound() {
        byte[] value = latin1(":\t  a b\t \r");
        int start = HttpSyntax.skipWhitespace(value, 1, 9);
        int end = HttpSyntax.trimWhitespace(value, start, 9);
        assertEquals("a b", HttpSyntax.text(value, start, end));
        assertEquals(4, HttpSyntax.skipWhitespace(value, 4, 4), "an empty range stays empty");
        assertEquals(3, HttpSyntax.trimWhitespace(value, 3, 3));

        assertFalse(HttpSyntax.hasControlCharacter(latin1("a\tb \u00ff"), 0, 5), "tab and bytes above 0x7f are fine");
        assertTrue(HttpSyntax.hasControlCharacter(latin1("a\u0000b"), 0, 3));
        assertTrue(HttpSyntax.hasControlCharacter(latin1("a\u007fb"), 0, 3));
        assertFalse(HttpSyntax.hasControlCharacter(value, 1, 9), "the CR lies outside the range");
        assertTrue(HttpSyntax.hasControlCharacter(value, 1, 10));
    }

    @Test
    void digitsAreOneToEighteenAsciiDigitsAndNothingElse() {
        assertEquals(0, HttpSyntax.digits("0"));
        assertEquals(1024, HttpSyntax.digits("01024"));
        assertEquals(999_999_999_999_999_999L, HttpSyntax.digits("999999999999999999"));
        for (String invalid : new String[] {"", "1000000000000000000", "+1", "-1", " 1", "1 ", "1e3", "\u0661"}) {
            assertEquals(-1, HttpSyntax.digits(invalid), invalid);
        }
    }
}
