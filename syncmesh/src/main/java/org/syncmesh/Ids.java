package org.syncmesh;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How ids are made from digests (docs/protocol-0.7.md §3.1): a hash read as one unsigned big-endian integer, in
 * base58. The same formula as {@code org.syncmesh.wire.Base58.encodeUnsigned}; kept here so this package depends on
 * nothing of syncmesh (its tests check both agree).
 *
 * <p>Stateless and thread-safe.
 */
final class Ids {
  private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final BigInteger BASE = BigInteger.valueOf(58);

  private Ids() {}

  /** {@code base58(algorithm(data))}, the digest read as an unsigned integer; "1" for a digest of zeros. */
  static String base58Digest(String algorithm, byte[] data) {
    BigInteger value = new BigInteger(1, digest(algorithm).digest(data));
    if (value.signum() == 0) {
      return "1";
    }
    StringBuilder out = new StringBuilder();
    while (value.signum() > 0) {
      BigInteger[] qr = value.divideAndRemainder(BASE);
      out.append(ALPHABET.charAt(qr[1].intValue()));
      value = qr[0];
    }
    return out.reverse().toString();
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
  }
}
