package org.syncmesh.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * The {@code .xz} container with the xz library, an optional dependency: its own class so that {@link Codecs} loads
 * without it; reached only when {@link Compressors#isAvailable} says the library is there.
 *
 * <p>Stateless and thread-safe.
 */
final class XzCodec {
  private XzCodec() {}

  static byte[] compress(byte[] data, int offset, int length) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
    try (XZOutputStream xz = new XZOutputStream(out, options(length), XZ.CHECK_CRC64)) {
      xz.write(data, offset, length);
    }
    return out.toByteArray();
  }

  /** A decoder of concatenated streams using at most {@link Codecs#XZ_MEMORY_LIMIT_KIB} KiB. */
  static InputStream open(InputStream in) throws IOException {
    return new XZInputStream(in, Codecs.XZ_MEMORY_LIMIT_KIB);
  }

  /**
   * Python's {@code lzma.compress} default (preset 6, CRC64), with the dictionary shrunk to the input size: preset
   * 6's 8 MiB dictionary makes the encoder allocate ~94 MiB per call. The compressed data is the same; only the
   * dictionary-size field of the block header differs for inputs under 8 MiB.
   */
  private static LZMA2Options options(int length) {
    LZMA2Options options;
    try {
      options = new LZMA2Options(6);
      int preset = options.getDictSize();
      int fitted = Math.max(LZMA2Options.DICT_SIZE_MIN, Integer.highestOneBit(Math.max(1, length - 1)) << 1);
      options.setDictSize(Math.min(preset, fitted));
    } catch (UnsupportedOptionsException e) {
      throw new IllegalStateException("xz preset 6 is always supported", e);
    }
    return options;
  }
}
