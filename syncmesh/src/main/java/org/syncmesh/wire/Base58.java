package org.syncmesh.wire;

import java.math.BigInteger;

/**
 * Base58 with the Bitcoin alphabet, applied to <em>integers</em> as both reference libraries do (docs/protocol-0.7.md
 * §3.1): the value is written most significant digit first, 0 becomes {@code "1"}, and there is no special
 * handling of leading zero bytes. A hash is encoded by reading its digest as one big-endian unsigned integer.
 *
 * <p>Stateless and thread-safe.
 */
public final class Base58 {
  /** The Bitcoin alphabet: no 0, O, I or l. */
  public static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  private static final BigInteger BASE = BigInteger.valueOf(58);
  private static final byte[] INDEX = new byte[128];

  static {
    java.util.Arrays.fill(INDEX, (byte) -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      INDEX[ALPHABET.charAt(i)] = (byte) i;
    }
  }

  private Base58() {}

  /**
   * Encodes a non-negative integer; 0 gives {@code "1"}, 57 gives {@code "z"}, 58 gives {@code "21"}.
   *
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public static String encode(BigInteger value) {
    Checks.notNull(value, "value");
    Checks.argument(value.signum() >= 0, "value", value, ">= 0");
    if (value.signum() == 0) {
      return "1";
    }
    // Divide by 58^10 (fits in a long) per BigInteger step, then split the long remainder: 10x fewer big divisions.
    StringBuilder reversed = new StringBuilder(70);
    BigInteger chunk = BigInteger.valueOf(430804206899405824L); // 58^10
    BigInteger rest = value;
    while (rest.signum() > 0) {
      BigInteger[] qr = rest.divideAndRemainder(chunk);
      rest = qr[0];
      long r = qr[1].longValue();
      for (int i = 0; i < 10 && (r > 0 || rest.signum() > 0); i++) {
        reversed.append(ALPHABET.charAt((int) (r % 58)));
        r /= 58;
      }
    }
    return reversed.reverse().toString();
  }

  /** Encodes a non-negative long, see {@link #encode(BigInteger)}. */
  public static String encode(long value) {
    Checks.argument(value >= 0, "value", value, ">= 0");
    return encode(BigInteger.valueOf(value));
  }

  /** Encodes {@code bigEndian} read as one unsigned big-endian integer (how a hash digest becomes an id, §3.1). */
  public static String encodeUnsigned(byte[] bigEndian) {
    Checks.notNull(bigEndian, "bigEndian");
    return encode(new BigInteger(1, bigEndian));
  }

  /**
   * Decodes base58 text into its integer value. The empty string decodes to 0.
   *
   * @throws IllegalArgumentException naming the character and its index if one is not in {@link #ALPHABET}
   */
  public static BigInteger decode(String text) {
    Checks.notNull(text, "text");
    BigInteger value = BigInteger.ZERO;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = c < 128 ? INDEX[c] : -1;
      if (digit < 0) {
        throw new IllegalArgumentException(
            Checks.describeFailure("text[" + i + "]", "'" + c + "' (U+" + String.format("%04X", (int) c) + ")",
                "a base58 character of " + ALPHABET));
      }
      value = value.multiply(BASE).add(BigInteger.valueOf(digit));
    }
    return value;
  }

  /** True if {@code text} is non-empty and every character is in {@link #ALPHABET}. */
  public static boolean isBase58(CharSequence text) {
    Checks.notNull(text, "text");
    if (text.length() == 0) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 128 || INDEX[c] < 0) {
        return false;
      }
    }
    return true;
  }
}
