package org.syncmesh.wire;

import java.io.IOException;
import java.util.Arrays;
import org.xerial.snappy.Snappy;

/**
 * Raw snappy blocks with snappy-java, an optional dependency: its own class so that {@link Codecs} loads without
 * snappy-java; reached only when {@link Compressors#isAvailable} says the library is there.
 *
 * <p>Stateless and thread-safe.
 */
final class SnappyCodec {
  private SnappyCodec() {}

  static byte[] compress(byte[] data, int offset, int length) throws IOException {
    byte[] out = new byte[Snappy.maxCompressedLength(length)];
    int n = Snappy.rawCompress(data, offset, length, out, 0);
    return Arrays.copyOf(out, n);
  }

  /** Decodes a block whose preamble declared {@code declared} bytes (already checked against the limit). */
  static byte[] uncompress(byte[] data, int offset, int length, int declared) throws IOException {
    if (!Snappy.isValidCompressedBuffer(data, offset, length)) {
      throw new DecompressionException("snappy(0x20): not a valid raw snappy block (" + length + " bytes)");
    }
    byte[] out = new byte[declared];
    int n = Snappy.uncompress(data, offset, length, out, 0);
    return n == declared ? out : Arrays.copyOf(out, n);
  }
}
