package org.syncmesh.wire;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 and SHA-384 without the provider lookup of {@code MessageDigest.getInstance} on every call: each thread
 * keeps one digest per algorithm (a ThreadLocal, not a thread of our own). Thread-safe.
 */
final class Digests {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> newDigest("SHA-256"));
  private static final ThreadLocal<MessageDigest> SHA384 = ThreadLocal.withInitial(() -> newDigest("SHA-384"));

  /** Bytes in a SHA-256 digest: the frame checksum and message id (docs/protocol-0.7.md §1.2, §3.4). */
  static final int SHA256_BYTES = 32;
  /** What {@link #warmUp} hashes, in frames of {@link #WARM_UP_FRAME_BYTES}: past the JIT's thresholds. */
  static final int WARM_UP_BYTES = 4 * 1024 * 1024;
  static final int WARM_UP_FRAME_BYTES = 64 * 1024;

  private Digests() {}

  static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest md = SHA256.get();
    md.update(data, offset, length);
    return md.digest(); // digest() also resets it for the next caller on this thread
  }

  /** The SHA-256 of {@code data}'s remaining bytes; its position moves to its limit. */
  static byte[] sha256(java.nio.ByteBuffer data) {
    MessageDigest md = SHA256.get();
    md.update(data);
    return md.digest();
  }

  static byte[] sha256(byte[] data) {
    return sha256(data, 0, data.length);
  }

  static byte[] sha384(byte[] data) {
    MessageDigest md = SHA384.get();
    md.update(data);
    return md.digest();
  }

  /**
   * Hashes {@value #WARM_UP_BYTES} bytes, as frames of {@value #WARM_UP_FRAME_BYTES}, by both paths the
   * frame codec takes (an array, and a buffer): enough for the JIT to compile SHA-256 with the CPU's own
   * instructions. Until then the first frames a JVM hashes run in the interpreter and the first-tier
   * compiler, 10 to 40 times slower: about 50 ms over the first 1.7 MB, which a fresh node otherwise
   * spends inside its first initial sync.
   */
  static void warmUp() {
    byte[] frame = new byte[WARM_UP_FRAME_BYTES];
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(frame);
    for (int i = 0; i < WARM_UP_BYTES / WARM_UP_FRAME_BYTES; i++) {
      // Each digest feeds the next frame, so that none can be compiled away.
      frame[i % frame.length] ^= (i % 2 == 0 ? sha256(frame) : sha256(buffer.clear()))[0];
    }
  }

  private static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform but is missing", e);
    }
  }
}
