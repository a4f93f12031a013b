package org.syncmesh.cli;

import org.jspecify.annotations.Nullable;
import org.syncmesh.json.Json;
import org.syncmesh.json.JsonValues;

/**
 * The arguments of the node line protocol, read as {@code interop/js2p/driver.js} reads them:
 * the command word, a KEY (a bare token or a JSON string), a VALUE (the rest of the line as
 * JSON), and the check that nothing else follows. Spaces are JavaScript's {@code \s}, so a line
 * splits alike on both nodes. Errors are {@link IllegalArgumentException}s whose messages are
 * the reply's. Stateless and thread-safe.
 */
final class LineArgs {

  /** A run of what {@link #isSpace} calls space, as a regular expression. */
  static final String SPACES = "[\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+";

  private LineArgs() {}

  /** The command word and the rest of the line: {@code ^\s*(\S*)(.*)$} with JavaScript's \s. */
  static String[] splitCommand(String line) {
    int start = skipSpace(line, 0);
    int end = start;
    while (end < line.length() && !isSpace(line.charAt(end))) {
      end++;
    }
    return new String[] {line.substring(start, end), line.substring(end)};
  }

  /** A KEY argument and the text after it. */
  record KeyAndRest(String key, String rest) {}

  /**
   * Takes a KEY: a bare token up to the next space, or a JSON string literal.
   *
   * @throws IllegalArgumentException if the key is missing or a malformed JSON string
   */
  static KeyAndRest takeKey(String text) {
    String s = text.substring(skipSpace(text, 0));
    if (s.isEmpty()) {
      throw new IllegalArgumentException("missing KEY");
    }
    if (s.charAt(0) == '"') {
      int i = 1;
      while (i < s.length() && s.charAt(i) != '"') {
        i += s.charAt(i) == '\\' ? 2 : 1;
      }
      if (i >= s.length()) {
        throw new IllegalArgumentException("unterminated JSON string KEY");
      }
      try {
        return new KeyAndRest((String) Json.parse(s.substring(0, i + 1)), s.substring(i + 1));
      } catch (Json.JsonException e) {
        throw new IllegalArgumentException("KEY is not a valid JSON string: " + e.getMessage(), e);
      }
    }
    int end = 0;
    while (end < s.length() && !isSpace(s.charAt(end))) {
      end++;
    }
    return new KeyAndRest(s.substring(0, end), s.substring(end));
  }

  /**
   * Parses a VALUE: the rest of the line as JSON, {@code {"$bin":…}} as bin.
   *
   * @throws IllegalArgumentException if it is missing or not valid JSON
   */
  static @Nullable Object parseValue(String rest) {
    String t = trim(rest);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("missing VALUE");
    }
    Object json;
    try {
      json = Json.parse(t);
    } catch (Json.JsonException e) {
      throw new IllegalArgumentException("VALUE is not valid JSON: " + e.getMessage(), e);
    }
    return JsonValues.toWire(json);
  }

  static String onlyKey(String rest) {
    KeyAndRest k = takeKey(rest);
    noMore(k.rest(), "KEY");
    return k.key();
  }

  static @Nullable Object noMore(String rest, String what) {
    String t = trim(rest);
    if (!t.isEmpty()) {
      throw new IllegalArgumentException("unexpected text after " + what + ": " + Abbrev.quote(t));
    }
    return null;
  }

  /** JavaScript's {@code String.prototype.trim}. */
  static String trim(String s) {
    int start = skipSpace(s, 0);
    int end = s.length();
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static int skipSpace(String s, int from) {
    int i = from;
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** JavaScript's {@code \s}: what the driver splits on, so both nodes read a line alike. */
  static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00a0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a')
        || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000' || c == '\ufeff';
  }
}
