package org.syncmesh;

import java.util.Optional;

/**
 * The compression methods of protocol 0.7, by their wire id (docs/protocol-0.7.md §4, §11). Byte formats:
 * <ul>
 *   <li>{@link #ZLIB}: an RFC 1950 stream at the default level, byte-identical to py2p, Node's C zlib and the JDK
 *       {@code Deflater()};</li>
 *   <li>{@link #GZIP}: an RFC 1952 member with MTIME 0, XFL 2 and OS 3 at level 9, byte-identical to py2p;</li>
 *   <li>{@link #SNAPPY}: the raw snappy block format (python-snappy {@code compress}, snappy-java
 *       {@code Snappy.compress});</li>
 *   <li>{@link #BZ2}: a bzip2 stream (Python {@code bz2.compress} reads it; ours picks the block size from the
 *       input length and codes Huffman tables differently from libbzip2, so it is not byte-identical);</li>
 *   <li>{@link #LZMA}: the {@code .xz} container, preset 6, CRC64 check (Python {@code lzma.compress}), with the
 *       dictionary fitted to the input, so only the dictionary-size field differs from Python below 8 MiB.</li>
 * </ul>
 * zlib and gzip come from the JDK and are always available; snappy needs snappy-java, bz2 commons-compress and lzma
 * xz (optional dependencies of the library): a node offers and accepts only the methods whose library is on its
 * class path or module path, so it still links with peers that offer more.
 *
 * <p>A pure value: the codecs themselves are internal. Immutable and thread-safe.
 */
public enum Compression {
  /** bzip2, py2p only. */
  BZ2(0x10),
  /** gzip (RFC 1952), js2p with zlibjs and py2p. */
  GZIP(0x11),
  /** The {@code .xz} container of LZMA2, py2p only. */
  LZMA(0x12),
  /** zlib (RFC 1950), js2p with zlibjs and py2p. */
  ZLIB(0x13),
  /** Raw snappy blocks, js2p/py2p only when their optional snappy modules are installed. */
  SNAPPY(0x20);

  private final int id;

  Compression(int id) {
    this.id = id;
  }

  /** The method number used in handshake and renegotiate lists. */
  public int id() {
    return id;
  }

  /** The method with wire id {@code id}, or empty for unknown and named-only ids (0x14–0x1F). */
  public static Optional<Compression> fromId(long id) {
    for (Compression c : values()) {
      if (c.id == id) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT) + "(0x" + Integer.toHexString(id) + ")";
  }
}
