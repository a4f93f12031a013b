package org.syncmesh.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small, strict JSON reader and writer (RFC 8259) for the node's line protocol; the project
 * takes no JSON library.
 *
 * <h2>Reading</h2>
 * {@link #parse} accepts exactly one JSON text, with optional JSON whitespace (space, tab, LF,
 * CR) around it, and maps it to:
 * <ul>
 *   <li>{@code null} → Java {@code null}; {@code true}/{@code false} → {@link Boolean};
 *   <li>a string → {@link String}: escapes are decoded, {@code \}{@code uD83D\}{@code uDE00}
 *       pairs join into one code point, an unpaired surrogate escape and a raw control
 *       character (below U+0020) are errors;
 *   <li>a number without fraction or exponent → {@link Long}, or {@link BigInteger} above
 *       {@code Long.MAX_VALUE} up to 2^64−1 (msgpack's uint64); beyond that range, either way,
 *       an error. Any other number → {@link Double}; one too large for a double is an error;
 *   <li>an array → {@link List}; an object → insertion-ordered {@link Map} with String keys, a
 *       duplicate key being an error.
 * </ul>
 * Nesting deeper than {@link #MAX_DEPTH} is an error, so hostile input cannot exhaust the stack.
 * Errors are {@link JsonException}s that give the offset.
 *
 * <h2>Writing</h2>
 * {@link #write} emits compact JSON (no spaces) for null, Boolean, any {@link Number}, String,
 * {@link List}, {@link Map} (keys via {@link String#valueOf}): {@code "}, {@code \} and control
 * characters are escaped, an unpaired surrogate is written as a {@code \}{@code u} escape so the
 * output stays valid UTF-8, and every other character is written as is. A NaN or infinite
 * {@link Float}/{@link Double} is written as {@code null}, as JavaScript's
 * {@code JSON.stringify} does, so a reply line stays valid JSON whatever a peer sent. Float and
 * Double are written in Java's shortest round-trip form ({@code 1.0}, {@code 1.0E-7}), so they
 * read back as floats.
 *
 * <p>Stateless and thread-safe.
 */
final class Json {

  /** Deepest array/object nesting accepted by {@link #parse} and {@link #write}. */
  static final int MAX_DEPTH = 512;

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** A malformed JSON text, or a value {@link #write} cannot express. */
  static final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Parses one JSON text.
   *
   * @throws JsonException if {@code text} is not exactly one valid JSON value, naming the offset
   */
  static @Nullable Object parse(String text) {
    Json reader = new Json(text);
    reader.skipSpace();
    if (reader.pos >= text.length()) {
      throw reader.error("empty input");
    }
    Object value = reader.value(0);
    reader.skipSpace();
    if (reader.pos != text.length()) {
      throw reader.error("unexpected text after the value");
    }
    return value;
  }

  private @Nullable Object value(int depth) {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character " + describe(c));
    }
  }

  private Map<String, @Nullable Object> object(int depth) {
    checkDepth(depth);
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    pos++; // '{'
    skipSpace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a string key");
      }
      int keyAt = pos;
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object value = value(depth);
      if (map.containsKey(key)) {
        pos = keyAt;
        throw error("duplicate key " + quote(key));
      }
      map.put(key, value);
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else {
        expect('}');
        return map;
      }
    }
  }

  private List<@Nullable Object> array(int depth) {
    checkDepth(depth);
    List<@Nullable Object> list = new ArrayList<>();
    pos++; // '['
    skipSpace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipSpace();
      list.add(value(depth));
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else {
        expect(']');
        return list;
      }
    }
  }

  private String string() {
    int start = pos;
    pos++; // '"'
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        pos = start;
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      } else if (c == '\\') {
        escape(sb);
      } else if (c < 0x20) {
        pos--;
        throw error("control character " + describe(c) + " in a string (escape it)");
      } else {
        sb.append(c);
      }
    }
  }

  private void escape(StringBuilder sb) {
    if (pos >= text.length()) {
      throw error("unterminated escape");
    }
    char e = text.charAt(pos++);
    switch (e) {
      case '"' -> sb.append('"');
      case '\\' -> sb.append('\\');
      case '/' -> sb.append('/');
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'u' -> {
        int at = pos - 2;
        char u = hex4();
        if (Character.isHighSurrogate(u)) {
          if (text.startsWith("\\u", pos)) {
            pos += 2;
            char low = hex4();
            if (Character.isLowSurrogate(low)) {
              sb.append(u).append(low);
              return;
            }
          }
          pos = at;
          throw error("unpaired surrogate \\u" + Integer.toHexString(u) + " (expected a low surrogate escape after it)");
        } else if (Character.isLowSurrogate(u)) {
          pos = at;
          throw error("unpaired surrogate \\u" + Integer.toHexString(u));
        }
        sb.append(u);
      }
      default -> {
        pos -= 2;
        throw error("bad escape \\" + e);
      }
    }
  }

  private char hex4() {
    if (pos + 4 > text.length()) {
      throw error("\\u needs four hex digits");
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int d = Character.digit(text.charAt(pos + i), 16);
      if (d < 0 || text.charAt(pos + i) > 'f') {
        throw error("\\u needs four hex digits");
      }
      v = v << 4 | d;
    }
    pos += 4;
    return (char) v;
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("expected a digit");
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit in the exponent");
      }
      digits();
    }
    String literal = text.substring(start, pos);
    if (integral) {
      BigInteger big = new BigInteger(literal);
      if (big.bitLength() < 64) {
        return big.longValue();
      }
      if (big.signum() > 0 && big.compareTo(UINT64_MAX) <= 0) {
        return big;
      }
      pos = start;
      throw error("integer " + abbreviate(literal) + " is outside msgpack's range [-2^63, 2^64-1]");
    }
    double d = Double.parseDouble(literal);
    if (Double.isInfinite(d)) {
      pos = start;
      throw error("number " + abbreviate(literal) + " is too large for a float64");
    }
    return d;
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private @Nullable Object literal(String word, @Nullable Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected character " + describe(text.charAt(pos)));
    }
    pos += word.length();
    return value;
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error(pos >= text.length() ? "unexpected end of input (expected '" + c + "')"
          : "expected '" + c + "' but found " + describe(text.charAt(pos)));
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private JsonException error(String what) {
    return new JsonException(what + " at offset " + pos);
  }

  private static String describe(char c) {
    return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code value} as compact JSON.
   *
   * @throws JsonException if a value (or a nested one) is not null, Boolean, Number, String,
   *     List or Map, or nesting passes {@link #MAX_DEPTH}
   */
  static String write(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0);
    return sb.toString();
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    writeString(sb, s);
    return sb.toString();
  }

  private static void write(StringBuilder sb, @Nullable Object value, int depth) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      writeString(sb, s);
    } else if (value instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (value instanceof Double d) {
      sb.append(Double.isFinite(d) ? d.toString() : "null");
    } else if (value instanceof Float f) {
      sb.append(Float.isFinite(f) ? f.toString() : "null");
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      sb.append(value);
    } else if (value instanceof List<?> list) {
      checkWriteDepth(depth + 1);
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, list.get(i), depth + 1);
      }
      sb.append(']');
    } else if (value instanceof Map<?, ?> map) {
      checkWriteDepth(depth + 1);
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        writeString(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue(), depth + 1);
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      sb.append('}');
    } else {
      throw new JsonException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static void checkWriteDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new JsonException("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(sb, c); // unpaired: no UTF-8 form, so keep it as an escape
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
  }
}
