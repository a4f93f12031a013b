package org.syncmesh.cli;

/**
 * The one way the command line quotes a user's input back in an error: at most
 * {@link #MAX_CHARS} characters of it, then how long it was, so an unknown 10 MB line costs a
 * short reply and a readable log instead of an echo of the whole line. Stateless; thread-safe.
 */
final class Abbrev {

  /** The most characters of user input an error repeats. */
  static final int MAX_CHARS = 200;

  private Abbrev() {}

  /**
   * {@code input} itself when it has at most {@link #MAX_CHARS} characters; otherwise its first
   * ones (never half a surrogate pair) followed by {@code "… (N characters)"}.
   */
  static String quote(String input) {
    return quote(input, MAX_CHARS);
  }

  /**
   * Like {@link #quote(String)} with another limit: for a whole message that has user input
   * somewhere inside (picocli's "Unknown option: '…'"), whose own words need room too.
   */
  static String quote(String input, int maxChars) {
    if (input.length() <= maxChars) {
      return input;
    }
    int end = maxChars;
    if (Character.isHighSurrogate(input.charAt(end - 1))) {
      end--; // keep the pair whole: cut before it
    }
    return input.substring(0, end) + "… (" + input.length() + " characters)";
  }
}
