package org.syncmesh.wire;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Compression;

/**
 * The byte formats of {@link Compression} (docs/protocol-0.7.md §4, §11), and which of them this process can use.
 * On receive, {@link Compression#ZLIB} and {@link Compression#GZIP} each accept both zlib and gzip input, as py2p's
 * {@code MAX_WBITS | 32} header detection does; gzip, bz2 and xz accept concatenated members/streams.
 *
 * <p>Decompression is bounded: it produces at most {@code maxOutputBytes + 1} bytes and then fails with
 * {@link FrameTooLongException}, so a zip bomb costs at most the frame cap. xz input is further limited
 * to {@value Codecs#XZ_MEMORY_LIMIT_KIB} KiB of decoder memory (enough for preset 9).
 *
 * <p>zlib and gzip are the JDK's. snappy, bz2 and lzma need snappy-java, commons-compress and xz, optional
 * dependencies of the library: {@link #isAvailable} looks for each library once, and negotiation offers and accepts
 * only what is available.
 *
 * <p>Thread-safe: each call works on its own state (zlib streams are reused per thread).
 */
public final class Compressors {
  private static final Logger log = LoggerFactory.getLogger(Compressors.class);
  private static final Set<Compression> AVAILABLE = available(Compressors::classPresent);
  private static final AtomicBoolean SNAPPY_PRELOADED = new AtomicBoolean();

  private Compressors() {}

  /**
   * Loads snappy's native library on a short-lived daemon thread if {@code methods} includes snappy and it is
   * available; returns at once. A node calls this once it listens: copying the library out of its jar and linking
   * it takes 15 to 20 ms, which otherwise delays the node's first snappy frame. Once per process; a library that
   * fails to load is reported here, as a warning with its cause.
   *
   * @return whether this call started the thread
   */
  public static boolean preloadNative(Collection<Compression> methods) {
    Checks.notNull(methods, "methods");
    if (!methods.contains(Compression.SNAPPY) || !isAvailable(Compression.SNAPPY)
        || !SNAPPY_PRELOADED.compareAndSet(false, true)) {
      return false;
    }
    Thread thread = new Thread(() -> {
      try {
        SnappyCodec.load();
      } catch (RuntimeException | LinkageError e) {
        // Its first use would only report that the class could not be initialised: say why here.
        log.warn("cannot load snappy-java's native library: this node cannot read or write snappy frames", e);
      }
    }, "syncmesh-preload-snappy");
    thread.setDaemon(true);
    thread.start();
    return true;
  }

  /** Whether {@code method}'s library is on this process's class path (or module path); looked up once. */
  public static boolean isAvailable(Compression method) {
    return AVAILABLE.contains(Checks.notNull(method, "method"));
  }

  /**
   * The methods usable when {@code classPresent} says which classes can be loaded: zlib and gzip always, each of
   * the others when its library's entry class is present. Tests inject {@code classPresent}; the process uses its
   * class loader.
   */
  public static Set<Compression> available(Predicate<String> classPresent) {
    Checks.notNull(classPresent, "classPresent");
    EnumSet<Compression> set = EnumSet.noneOf(Compression.class);
    for (Compression c : Compression.values()) {
      String library = libraryClass(c);
      if (library == null || classPresent.test(library)) {
        set.add(c);
      }
    }
    return Set.copyOf(set);
  }

  /** The Maven artifact {@code method} needs, for messages; empty for the JDK's zlib and gzip. */
  public static String libraryName(Compression method) {
    return switch (Checks.notNull(method, "method")) {
      case ZLIB, GZIP -> "";
      case SNAPPY -> "org.xerial.snappy:snappy-java";
      case BZ2 -> "org.apache.commons:commons-compress";
      case LZMA -> "org.tukaani:xz";
    };
  }

  private static @Nullable String libraryClass(Compression method) {
    return switch (method) {
      case ZLIB, GZIP -> null;
      case SNAPPY -> "org.xerial.snappy.Snappy";
      case BZ2 -> "org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream";
      case LZMA -> "org.tukaani.xz.XZInputStream";
    };
  }

  private static boolean classPresent(String name) {
    try {
      // initialize=false: snappy's native library is loaded at its first use, not by this check
      Class.forName(name, false, Compressors.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void requireAvailable(Compression method) {
    if (!isAvailable(method)) {
      throw new UnsupportedOperationException(method + " needs " + libraryName(method)
          + " on the class path (an optional dependency of syncmesh)");
    }
  }

  /** Compresses all of {@code data} into a new array. */
  public static byte[] compress(Compression method, byte[] data) {
    Checks.notNull(data, "data");
    return compress(method, data, 0, data.length);
  }

  /**
   * Compresses {@code data[offset, offset + length)} into a new array.
   *
   * @throws IndexOutOfBoundsException if the range is not inside {@code data}
   * @throws UnsupportedOperationException if the method's library is not on the class path
   */
  public static byte[] compress(Compression method, byte[] data, int offset, int length) {
    requireAvailable(method);
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    return Codecs.compress(method, data, offset, length);
  }

  /**
   * Decompresses all of {@code data}.
   *
   * @param maxOutputBytes the most output accepted, usually the frame cap; at most one byte more is ever produced
   * @throws DecompressionException   if {@code data} is not a valid stream of {@code method}
   * @throws FrameTooLongException    if the output would exceed {@code maxOutputBytes}
   * @throws IllegalArgumentException if {@code maxOutputBytes} is negative or {@code Integer.MAX_VALUE}
   */
  public static byte[] decompress(Compression method, byte[] data, int maxOutputBytes) {
    Checks.notNull(data, "data");
    return decompress(method, data, 0, data.length, maxOutputBytes);
  }

  /** As {@link #decompress(Compression, byte[], int)}, for {@code data[offset, offset + length)}. */
  public static byte[] decompress(Compression method, byte[] data, int offset, int length, int maxOutputBytes) {
    requireAvailable(method);
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    Checks.inRange(maxOutputBytes, 0, Integer.MAX_VALUE - 1, "maxOutputBytes");
    return Codecs.decompress(method, data, offset, length, maxOutputBytes);
  }
}
