package org.syncmesh.bench;

/**
 * Keys and values of the benchmark, identical in every system (the js2p driver's bulkset and
 * paceset use the same rules): a key is PREFIX followed by the index, zero-padded to 16 ASCII
 * characters; a value is VALUESIZE pseudo-random characters from a 64-letter alphabet, derived
 * from the index (so values do not compress to nothing, and cost the same to make everywhere).
 */
final class Gen {
  static final int KEY_LENGTH = 16;
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private Gen() {}

  static String key(String prefix, int i) {
    String n = Integer.toString(i);
    int pad = KEY_LENGTH - prefix.length() - n.length();
    if (pad < 0) {
      throw new IllegalArgumentException("key prefix too long for index " + i + ": " + prefix);
    }
    StringBuilder sb = new StringBuilder(KEY_LENGTH).append(prefix);
    for (int j = 0; j < pad; j++) {
      sb.append('0');
    }
    return sb.append(n).toString();
  }

  /** xorshift32 seeded by the index, 6 bits per character; the same sequence as driver.js. */
  static String value(int i, int size) {
    char[] c = new char[size];
    int x = (i * 0x9E3779B1) | 1;
    for (int j = 0; j < size; j++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      c[j] = ALPHABET.charAt(x & 63);
    }
    return new String(c);
  }

  /** The index of a key made by {@link #key}, or -1 if it does not carry the prefix. */
  static int index(String prefix, String key) {
    if (key == null || !key.startsWith(prefix) || key.length() != KEY_LENGTH) {
      return -1;
    }
    try {
      return Integer.parseInt(key.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
