package org.syncmesh.wire;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.xerial.snappy.OSInfo;
import org.xerial.snappy.Snappy;

/**
 * Raw snappy blocks with snappy-java, an optional dependency: its own class so that {@link Codecs} loads without
 * snappy-java; reached only when {@link Compressors#isAvailable} says the library is there.
 *
 * <p>Stateless and thread-safe.
 */
final class SnappyCodec {
  private static final String LIB_PATH = "org.xerial.snappy.lib.path";
  private static final String LIB_NAME = "org.xerial.snappy.lib.name";

  static {
    loadNativeLibrary();
  }

  private SnappyCodec() {}

  /**
   * Loads the native library if this class's initialiser has not; throws what snappy-java throws when it cannot
   * (its class then fails at every use).
   */
  static void load() {
    Snappy.maxCompressedLength(0);
  }

  /**
   * Has snappy-java load its library from a copy that is deleted at once ({@link NativeLibraries}), through
   * its own settings for a library outside the jar, set only while it loads; unless the user configured
   * its loading. If no copy can be made, snappy-java extracts its library as it always has.
   */
  private static void loadNativeLibrary() {
    if (System.getProperty(LIB_PATH) != null || System.getProperty(LIB_NAME) != null
        || Boolean.getBoolean("org.xerial.snappy.use.systemlib")) {
      return;
    }
    String name = System.mapLibraryName("snappyjava");
    String resource = "/org/xerial/snappy/native/" + OSInfo.getNativeLibFolderPathForCurrentOS() + "/" + name;
    NativeLibraries.loadExtracted(Snappy.class, resource, List.of(name), dir -> {
      System.setProperty(LIB_PATH, dir.toString());
      System.setProperty(LIB_NAME, name);
      try {
        Snappy.maxCompressedLength(0); // initialising Snappy loads the library
      } finally {
        System.clearProperty(LIB_PATH);
        System.clearProperty(LIB_NAME);
      }
    });
  }

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
