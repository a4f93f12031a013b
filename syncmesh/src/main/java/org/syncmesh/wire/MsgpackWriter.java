package org.syncmesh.wire;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A small direct msgpack writer into a growable byte array, used instead of msgpack-java's MessageBufferPacker on
 * the encode hot path: the packer's buffers, output objects and final copy cost about a third of a small-message
 * round trip (measured by FrameCodecBenchmark). Emits exactly the bytes msgpack-java does: the smallest integer
 * encoding (fixint, cc–cf, d0–d3), str8 for 32..255-byte strings, float32/float64 as given.
 *
 * <p>Not thread-safe; one instance per encoding. Strings must already be valid UTF-16 (callers check).
 */
final class MsgpackWriter {
  private static final int SCRATCH_BYTES = 1024;
  // Kept per thread up to this size, so 64 KiB values do not regrow it on every message; larger ones allocate.
  private static final int MAX_KEPT_SCRATCH_BYTES = 256 * 1024;
  // Per-thread scratch buffer: encoding writes here, then copies out exactly once. Not a thread of our own.
  // A writer takes the buffer out (leaving null) and puts it back in toByteArray(), so a re-entrant encode on the
  // same thread gets a fresh array instead of sharing one.
  private static final ThreadLocal<byte[]> SCRATCH = new ThreadLocal<>();

  private byte[] buf;
  private int pos;

  private MsgpackWriter(byte[] buf) {
    this.buf = buf;
  }

  /** A writer over this thread's scratch buffer; call {@link #toByteArray()} once, at the end. */
  static MsgpackWriter scratch() {
    byte[] b = SCRATCH.get();
    if (b == null) {
      b = new byte[SCRATCH_BYTES];
    } else {
      SCRATCH.set(null);
    }
    return new MsgpackWriter(b);
  }

  /** The bytes written, as an exactly sized new array; returns a grown scratch buffer to the thread if small. */
  byte[] toByteArray() {
    byte[] out = Arrays.copyOf(buf, pos);
    if (buf.length <= MAX_KEPT_SCRATCH_BYTES) {
      SCRATCH.set(buf);
    }
    return out;
  }

  int size() {
    return pos;
  }

  private void ensure(int n) {
    if (buf.length - pos < n) {
      long wanted = Math.max((long) buf.length * 2, (long) pos + n);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("msgpack value too large: over " + (Integer.MAX_VALUE - 8) + " bytes");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }

  void writeNil() {
    ensure(1);
    buf[pos++] = (byte) 0xc0;
  }

  void writeBoolean(boolean b) {
    ensure(1);
    buf[pos++] = (byte) (b ? 0xc3 : 0xc2);
  }

  void writeLong(long v) {
    ensure(9);
    if (v >= 0) {
      if (v < 128) {
        buf[pos++] = (byte) v;
      } else if (v < 256) {
        buf[pos++] = (byte) 0xcc;
        buf[pos++] = (byte) v;
      } else if (v < 65536) {
        buf[pos++] = (byte) 0xcd;
        putShort((int) v);
      } else if (v < (1L << 32)) {
        buf[pos++] = (byte) 0xce;
        putInt((int) v);
      } else {
        buf[pos++] = (byte) 0xcf;
        putLong(v);
      }
    } else if (v >= -32) {
      buf[pos++] = (byte) v;
    } else if (v >= -128) {
      buf[pos++] = (byte) 0xd0;
      buf[pos++] = (byte) v;
    } else if (v >= -32768) {
      buf[pos++] = (byte) 0xd1;
      putShort((int) v);
    } else if (v >= Integer.MIN_VALUE) {
      buf[pos++] = (byte) 0xd2;
      putInt((int) v);
    } else {
      buf[pos++] = (byte) 0xd3;
      putLong(v);
    }
  }

  /** An integer in [−2^63, 2^64−1]; the caller checked the range. */
  void writeBigInteger(BigInteger v) {
    if (v.bitLength() <= 63) {
      writeLong(v.longValue());
    } else {
      ensure(9);
      buf[pos++] = (byte) 0xcf;
      putLong(v.longValue()); // the low 64 bits of a value in [2^63, 2^64) are its uint64 encoding
    }
  }

  void writeFloat(float f) {
    ensure(5);
    buf[pos++] = (byte) 0xca;
    putInt(Float.floatToRawIntBits(f));
  }

  void writeDouble(double d) {
    ensure(9);
    buf[pos++] = (byte) 0xcb;
    putLong(Double.doubleToRawLongBits(d));
  }

  /**
   * Writes {@code s} as a str in one pass if it is all ASCII (then its UTF-8 length is its
   * length) and returns true; otherwise writes nothing and returns false.
   */
  boolean tryWriteAsciiString(String s) {
    int n = s.length();
    int header = n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
    ensure(header + n);
    byte[] b = buf;
    int p = pos + header;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return false; // bytes past pos are scratch until pos moves
      }
      b[p++] = (byte) c;
    }
    writeRawHeader(n, 0xa0, 0xd9, 0xda, 0xdb);
    pos += n;
    return true;
  }

  /** Writes a str; {@code utf8Length} is the exact UTF-8 length of {@code s}, which has no unpaired surrogates. */
  void writeString(String s, int utf8Length) {
    writeRawHeader(utf8Length, 0xa0, 0xd9, 0xda, 0xdb);
    ensure(utf8Length);
    int n = s.length();
    byte[] b = buf;
    int p = pos;
    int i = 0;
    for (; i < n; i++) { // ASCII fast path
      char c = s.charAt(i);
      if (c >= 0x80) {
        break;
      }
      b[p++] = (byte) c;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xc0 | c >> 6);
        b[p++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[p++] = (byte) (0xf0 | cp >> 18);
        b[p++] = (byte) (0x80 | (cp >> 12 & 0x3f));
        b[p++] = (byte) (0x80 | (cp >> 6 & 0x3f));
        b[p++] = (byte) (0x80 | (cp & 0x3f));
      } else {
        b[p++] = (byte) (0xe0 | c >> 12);
        b[p++] = (byte) (0x80 | (c >> 6 & 0x3f));
        b[p++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    pos = p;
  }

  void writeBinary(byte[] data) {
    int n = data.length;
    ensure(5);
    if (n < 256) {
      buf[pos++] = (byte) 0xc4;
      buf[pos++] = (byte) n;
    } else if (n < 65536) {
      buf[pos++] = (byte) 0xc5;
      putShort(n);
    } else {
      buf[pos++] = (byte) 0xc6;
      putInt(n);
    }
    ensure(n);
    System.arraycopy(data, 0, buf, pos, n);
    pos += n;
  }

  void writeArrayHeader(int n) {
    writeContainerHeader(n, 0x90, 0xdc, 0xdd);
  }

  void writeMapHeader(int n) {
    writeContainerHeader(n, 0x80, 0xde, 0xdf);
  }

  private void writeContainerHeader(int n, int fix, int h16, int h32) {
    ensure(5);
    if (n < 16) {
      buf[pos++] = (byte) (fix | n);
    } else if (n < 65536) {
      buf[pos++] = (byte) h16;
      putShort(n);
    } else {
      buf[pos++] = (byte) h32;
      putInt(n);
    }
  }

  private void writeRawHeader(int n, int fix, int h8, int h16, int h32) {
    ensure(5);
    if (n < 32) {
      buf[pos++] = (byte) (fix | n);
    } else if (n < 256) {
      buf[pos++] = (byte) h8;
      buf[pos++] = (byte) n;
    } else if (n < 65536) {
      buf[pos++] = (byte) h16;
      putShort(n);
    } else {
      buf[pos++] = (byte) h32;
      putInt(n);
    }
  }

  private void putShort(int v) {
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putInt(int v) {
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  private void putLong(long v) {
    putInt((int) (v >>> 32));
    putInt((int) v);
  }
}
