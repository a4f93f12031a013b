package org.syncmesh.wire;

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
 * On receive, {@link #ZLIB} and {@link #GZIP} each accept both zlib and gzip input, as py2p's
 * {@code MAX_WBITS | 32} header detection does; gzip, bz2 and xz accept concatenated members/streams.
 *
 * <p>Decompression is bounded: it produces at most {@code maxOutputBytes + 1} bytes and then fails with
 * {@link FrameTooLongException}, so a zip bomb costs at most the frame cap. xz input is further limited
 * to {@value Codecs#XZ_MEMORY_LIMIT_KIB} KiB of decoder memory (enough for preset 9).
 *
 * <p>Thread-safe: each call works on its own state (zlib streams are reused per thread).
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

  /** Compresses all of {@code data} into a new array. */
  public byte[] compress(byte[] data) {
    Checks.notNull(data, "data");
    return compress(data, 0, data.length);
  }

  /**
   * Compresses {@code data[offset, offset + length)} into a new array.
   *
   * @throws IndexOutOfBoundsException if the range is not inside {@code data}
   */
  public byte[] compress(byte[] data, int offset, int length) {
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    return Codecs.compress(this, data, offset, length);
  }

  /**
   * Decompresses all of {@code data}.
   *
   * @param maxOutputBytes the most output accepted, usually the frame cap; at most one byte more is ever produced
   * @throws DecompressionException   if {@code data} is not a valid stream of this method
   * @throws FrameTooLongException    if the output would exceed {@code maxOutputBytes}
   * @throws IllegalArgumentException if {@code maxOutputBytes} is negative or {@code Integer.MAX_VALUE}
   */
  public byte[] decompress(byte[] data, int maxOutputBytes) {
    Checks.notNull(data, "data");
    return decompress(data, 0, data.length, maxOutputBytes);
  }

  /** As {@link #decompress(byte[], int)}, for {@code data[offset, offset + length)}. */
  public byte[] decompress(byte[] data, int offset, int length, int maxOutputBytes) {
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    Checks.inRange(maxOutputBytes, 0, Integer.MAX_VALUE - 1, "maxOutputBytes");
    return Codecs.decompress(this, data, offset, length, maxOutputBytes);
  }

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT) + "(0x" + Integer.toHexString(id) + ")";
  }
}
