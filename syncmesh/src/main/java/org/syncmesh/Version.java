package org.syncmesh;

import java.util.List;

/**
 * The version of one write in the syncmesh extension (docs/extension-v1.md): a hybrid logical
 * clock value ({@link Hlc}) and the id of the node that wrote it. Versions are totally ordered:
 * by clock value, then by writer id in Unicode code point order (the unsigned byte order of their
 * UTF-8), so two nodes that write in the same clock tick still agree which write is later.
 *
 * <p>On the wire a version is the msgpack array {@code [hlc, writer]}: {@code hlc} an unsigned
 * integer (uint64 in practice), {@code writer} a str of 1–255 UTF-8 bytes. Only syncmesh peers
 * that negotiated the extension ever receive one; js2p would lose precision on such integers.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hlc the packed clock value, non-negative
 * @param writer the writing node's id, 1–255 bytes of UTF-8 without unpaired surrogates
 */
public record Version(long hlc, String writer) implements Comparable<Version> {

  /** Most UTF-8 bytes in a writer id (node ids have 64–66). */
  public static final int MAX_WRITER_BYTES = 255;

  /**
   * Checks both parts.
   *
   * @throws IllegalArgumentException if {@code hlc} is negative or {@code writer} is empty, too
   *     long or not encodable as UTF-8
   */
  public Version {
    Checks.inRange(hlc, 0, Long.MAX_VALUE, "hlc");
    Checks.notNull(writer, "writer");
    int slot = System.identityHashCode(writer) & (CHECKED_WRITERS.length - 1);
    if (CHECKED_WRITERS[slot] != writer) {
      int bytes = utf8Length(writer);
      Checks.argument(bytes >= 1 && bytes <= MAX_WRITER_BYTES, "writer", writer,
          "1 to " + MAX_WRITER_BYTES + " bytes of valid UTF-8");
      CHECKED_WRITERS[slot] = writer;
    }
  }

  /**
   * Writer ids that passed the check, by identity. A node makes versions of its own id and of the
   * ids it shares among what it decodes, so nearly every version names a String checked before,
   * and skips scanning its 64–66 characters again. Plain slots: a race at worst scans once more,
   * and a String is immutable, so a slot never shows a half-made one.
   */
  private static final String[] CHECKED_WRITERS = new String[32];

  @Override
  public int compareTo(Version other) {
    int byClock = Long.compare(hlc, other.hlc);
    return byClock != 0 ? byClock : compareCodePoints(writer, other.writer);
  }

  /** The msgpack value of this version: {@code [hlc, writer]}. */
  public List<Object> toPacket() {
    return List.of(hlc, writer);
  }

  // equals and hashCode are written out, as in PeerInfo and Resolution.Tenure: a record's own
  // are linked at first use by a bootstrap that spins some twenty classes, 10-17 ms of a fresh
  // node's first write or first link that no class-data archive of JDK 17 can keep.
  @Override
  public boolean equals(Object o) {
    return o instanceof Version v && hlc == v.hlc && writer.equals(v.writer);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(hlc) + writer.hashCode();
  }

  @Override
  public String toString() {
    return Hlc.format(hlc) + "@" + writer;
  }

  /** Code point order, which is the unsigned byte order of the UTF-8 encodings. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /**
   * The UTF-8 length of {@code s}, or -1 if it has an unpaired surrogate (decoders check a writer with it before
   * constructing a version).
   */
  public static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        return -1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
