package org.syncmesh.wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/**
 * bzip2 with commons-compress, an optional dependency: its own class so that {@link Codecs} loads without
 * commons-compress; reached only when {@link Compressors#isAvailable} says the library is there.
 *
 * <p>Stateless and thread-safe.
 */
final class Bz2Codec {
  private Bz2Codec() {}

  static byte[] compress(byte[] data, int offset, int length) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
    // Block size fitted to the input (Python uses 9 = 900 kB always): a 9 costs ~7 MiB of buffers per call.
    int blockSize = BZip2CompressorOutputStream.chooseBlockSize(length);
    try (BZip2CompressorOutputStream bz = new BZip2CompressorOutputStream(out, blockSize)) {
      bz.write(data, offset, length);
    }
    return out.toByteArray();
  }

  /** A decoder of concatenated streams, as Python's {@code bz2.decompress}. */
  static InputStream open(InputStream in) throws IOException {
    return new BZip2CompressorInputStream(in, true);
  }
}
