package org.syncmesh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An immutable byte string, in the manner of Okio's {@code ByteString}: the value type for msgpack bin, node-id
 * bytes, keys and checksums, because a raw {@code byte[]} compares by identity.
 *
 * <p>Factories copy their input, except {@link #wrapOwned(byte[])}, whose caller gives up the array.
 * {@link #equals}/{@link #hashCode} compare content (the hash is cached), and {@link #compareTo} orders by
 * <em>unsigned</em> bytes, which is the lease tie-break order of docs/protocol-0.7.md §10.
 *
 * <p>Instances are immutable and thread-safe. No method accepts or returns null.
 */
public final class Bytes implements Comparable<Bytes> {
  /** The empty byte string. */
  public static final Bytes EMPTY = new Bytes(new byte[0]);

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int PREVIEW_BYTES = 16;

  private final byte[] data;
  private int hash; // 0 = not yet computed; racy single-check is safe because the value is deterministic

  private Bytes(byte[] data) {
    this.data = data;
  }

  /** Wraps {@code data} without copying; wire-internal callers promise never to modify it afterwards. */
  static Bytes trusted(byte[] data) {
    return data.length == 0 ? EMPTY : new Bytes(data);
  }

  /** Returns a byte string holding a copy of {@code data}. */
  public static Bytes of(byte[] data) {
    Checks.notNull(data, "data");
    return trusted(data.clone());
  }

  /**
   * Returns a byte string holding a copy of {@code data[offset, offset + length)}.
   *
   * @throws IndexOutOfBoundsException if the range is not inside {@code data}
   */
  public static Bytes of(byte[] data, int offset, int length) {
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    return trusted(Arrays.copyOfRange(data, offset, offset + length));
  }

  /** Returns a copy of the remaining bytes of {@code buffer}, without moving its position. */
  public static Bytes of(ByteBuffer buffer) {
    Checks.notNull(buffer, "buffer");
    byte[] copy = new byte[buffer.remaining()];
    buffer.duplicate().get(copy);
    return trusted(copy);
  }

  /**
   * Wraps {@code data} without copying. The caller gives up the array: it must never read or write it again
   * afterwards, or this "immutable" value changes under everyone holding it. Used by the network layer to avoid
   * a copy of buffers it has just filled.
   */
  public static Bytes wrapOwned(byte[] data) {
    Checks.notNull(data, "data");
    return trusted(data);
  }

  /** Returns the UTF-8 encoding of {@code text}; unpaired surrogates become {@code '?'} as in {@link String#getBytes}. */
  public static Bytes utf8(String text) {
    Checks.notNull(text, "text");
    return trusted(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses hexadecimal text, upper or lower case, two digits per byte.
   *
   * @throws IllegalArgumentException if the length is odd or a character is not a hex digit
   */
  public static Bytes fromHex(String hex) {
    Checks.notNull(hex, "hex");
    Checks.argument(hex.length() % 2 == 0, "hex.length()", hex.length(), "even");
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(2 * i), 16);
      int lo = Character.digit(hex.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        int bad = hi < 0 ? 2 * i : 2 * i + 1;
        throw new IllegalArgumentException(
            Checks.describeFailure("hex[" + bad + "]", "'" + hex.charAt(bad) + "'", "a hex digit 0-9, a-f, A-F"));
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return trusted(out);
  }

  /** Number of bytes. */
  public int size() {
    return data.length;
  }

  /** True if {@link #size()} is 0. */
  public boolean isEmpty() {
    return data.length == 0;
  }

  /**
   * The byte at {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   */
  public byte byteAt(int index) {
    return data[index];
  }

  /** A fresh copy of the bytes. */
  public byte[] toByteArray() {
    return data.clone();
  }

  /** Copies {@code length} bytes starting at {@code offset} into {@code target} at {@code targetOffset}. */
  public void copyTo(int offset, byte[] target, int targetOffset, int length) {
    System.arraycopy(data, offset, target, targetOffset, length);
  }

  /** A read-only view of the bytes, no copy. */
  public ByteBuffer asReadOnlyByteBuffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** Writes all bytes to {@code out} without copying them first. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(data);
  }

  /** Feeds all bytes to {@code digest}, no copy. */
  public void updateDigest(MessageDigest digest) {
    digest.update(data);
  }

  /** The backing array, for wire-internal readers that promise not to modify it. */
  byte[] internalArray() {
    return data;
  }

  /** Decodes the bytes as UTF-8, leniently: malformed sequences become U+FFFD, as js2p does (docs/protocol-0.7.md §2.1). */
  public String utf8() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /** Lower-case hexadecimal, two digits per byte. */
  public String hex() {
    return hex(data, 0, data.length);
  }

  static String hex(byte[] bytes, int offset, int length) {
    char[] out = new char[length * 2];
    for (int i = 0; i < length; i++) {
      int b = bytes[offset + i] & 0xff;
      out[2 * i] = HEX[b >>> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    return new String(out);
  }

  /** True if the other byte string starts with {@code prefix}. */
  public boolean startsWith(Bytes prefix) {
    return prefix.data.length <= data.length
        && Arrays.equals(data, 0, prefix.data.length, prefix.data, 0, prefix.data.length);
  }

  @Override
  public boolean equals(Object other) {
    return other == this || (other instanceof Bytes b && Arrays.equals(data, b.data));
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(data);
      hash = h;
    }
    return h;
  }

  /** Orders by unsigned bytes, then by length (a proper prefix sorts first). */
  @Override
  public int compareTo(Bytes other) {
    return Arrays.compareUnsigned(data, other.data);
  }

  /** A short preview such as {@code [size=3 hex=6b6579]}, truncated with an ellipsis after 16 bytes. */
  @Override
  public String toString() {
    if (data.length <= PREVIEW_BYTES) {
      return "[size=" + data.length + " hex=" + hex() + "]";
    }
    return "[size=" + data.length + " hex=" + hex(data, 0, PREVIEW_BYTES) + "…]";
  }
}
