package org.syncmesh.wire;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.syncmesh.Compression;

/**
 * The byte formats behind {@link Compression} (docs/protocol-0.7.md §11). Every decoder writes into a {@link Sink} that
 * refuses to grow past the limit, so no method ever holds more than {@code max + 1} output bytes.
 *
 * <p>Thread-safe: zlib streams are per thread and reset before each use; everything else is per call.
 */
final class Codecs {
  /** xz decoder memory cap in KiB: preset 9 needs a 64 MiB dictionary; anything larger is refused, not allocated. */
  static final int XZ_MEMORY_LIMIT_KIB = 72 * 1024;

  // The gzip header py2p writes (RFC 1952 §2.3): CM=8 deflate, no flags, MTIME 0, XFL 2 (level 9), OS 3 (Unix).
  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
  private static final int GZIP_TRAILER_BYTES = 8;
  private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

  // Native zlib streams are costly to create (the deflater allocates ~256 KiB); keep one of each per thread.
  private static final ThreadLocal<Deflater> ZLIB_DEFLATER = ThreadLocal.withInitial(Deflater::new);
  private static final ThreadLocal<Deflater> GZIP_DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_COMPRESSION, true));
  private static final ThreadLocal<Inflater> ZLIB_INFLATER = ThreadLocal.withInitial(Inflater::new);
  private static final ThreadLocal<Inflater> RAW_INFLATER = ThreadLocal.withInitial(() -> new Inflater(true));

  private Codecs() {}

  static byte[] compress(Compression method, byte[] data, int offset, int length) {
    try {
      return switch (method) {
        case ZLIB -> deflate(ZLIB_DEFLATER.get(), data, offset, length, 0, 0);
        case GZIP -> gzip(data, offset, length);
        // the optional libraries' code lives in classes of its own, loaded only when their library is there
        case SNAPPY -> SnappyCodec.compress(data, offset, length);
        case BZ2 -> Bz2Codec.compress(data, offset, length);
        case LZMA -> XzCodec.compress(data, offset, length);
      };
    } catch (IOException e) {
      // In-memory streams only fail on a library bug, never on our input.
      throw new IllegalStateException(method + " compression failed in memory", e);
    }
  }

  static byte[] decompress(Compression method, byte[] data, int offset, int length, int max) {
    return switch (method) {
      case ZLIB, GZIP -> inflateAuto(method, data, offset, length, max);
      case SNAPPY -> unsnappy(data, offset, length, max);
      case BZ2, LZMA -> drain(method, data, offset, length, max);
    };
  }

  // ---- zlib / gzip ----

  private static byte[] deflate(Deflater deflater, byte[] data, int offset, int length, int headroom, int tailroom) {
    deflater.reset();
    deflater.setInput(data, offset, length);
    deflater.finish();
    // zlib's compressBound() plus room for a caller's header and trailer; grows only if the bound is ever wrong.
    byte[] out = new byte[headroom + length + (length >>> 12) + (length >>> 14) + 64 + tailroom];
    int n = headroom;
    while (!deflater.finished()) {
      if (n == out.length - tailroom) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      n += deflater.deflate(out, n, out.length - tailroom - n);
    }
    return n + tailroom == out.length ? out : Arrays.copyOf(out, n + tailroom);
  }

  private static byte[] gzip(byte[] data, int offset, int length) {
    byte[] out = deflate(GZIP_DEFLATER.get(), data, offset, length, GZIP_HEADER.length, GZIP_TRAILER_BYTES);
    System.arraycopy(GZIP_HEADER, 0, out, 0, GZIP_HEADER.length);
    CRC32 crc = new CRC32();
    crc.update(data, offset, length);
    int t = out.length - GZIP_TRAILER_BYTES;
    putIntLe(out, t, (int) crc.getValue());
    putIntLe(out, t + 4, length); // ISIZE: input size modulo 2^32
    return out;
  }

  /** zlib or gzip, decided by the magic bytes as zlib's MAX_WBITS|32 does (§11); {@code method} names errors. */
  private static byte[] inflateAuto(Compression method, byte[] data, int offset, int length, int max) {
    Sink sink = new Sink(method, max, length);
    if (length >= 2 && data[offset] == 0x1f && data[offset + 1] == (byte) 0x8b) {
      int pos = offset;
      int end = offset + length;
      do { // gzip members may be concatenated (RFC 1952 §2.2)
        pos = gunzipMember(method, data, pos, end, sink);
      } while (pos < end);
    } else {
      Inflater inflater = ZLIB_INFLATER.get();
      int remaining = inflate(method, inflater, data, offset, length, sink);
      if (remaining != 0) {
        throw new DecompressionException(method + ": " + remaining + " trailing bytes after the end of the zlib stream");
      }
    }
    return sink.toByteArray();
  }

  /** Inflates one member starting at {@code pos}; returns the position after its trailer. */
  private static int gunzipMember(Compression method, byte[] data, int pos, int end, Sink sink) {
    int start = sink.size;
    int p = pos;
    if (end - p < 10 || data[p] != 0x1f || data[p + 1] != (byte) 0x8b || data[p + 2] != 8) {
      throw new DecompressionException(method + ": bad gzip member header at input offset " + p + " (expected 1f 8b 08)");
    }
    int flags = data[p + 3] & 0xff;
    p += 10;
    if ((flags & FEXTRA) != 0) {
      need(method, p + 2, end);
      p += 2 + ((data[p] & 0xff) | (data[p + 1] & 0xff) << 8);
    }
    for (int flag : new int[] {FNAME, FCOMMENT}) {
      if ((flags & flag) != 0) {
        while (need(method, p + 1, end) && data[p] != 0) {
          p++;
        }
        p++;
      }
    }
    if ((flags & FHCRC) != 0) {
      p += 2;
    }
    need(method, p, end);
    int remaining = inflate(method, RAW_INFLATER.get(), data, p, end - p, sink);
    int t = end - remaining;
    need(method, t + GZIP_TRAILER_BYTES, end);
    CRC32 crc = new CRC32();
    crc.update(sink.buf, start, sink.size - start);
    if (getIntLe(data, t) != (int) crc.getValue() || getIntLe(data, t + 4) != sink.size - start) {
      throw new DecompressionException(method + ": gzip CRC32 or ISIZE does not match the inflated data");
    }
    return t + GZIP_TRAILER_BYTES;
  }

  private static boolean need(Compression method, int position, int end) {
    if (position > end) {
      throw new DecompressionException(method + ": gzip member truncated (needs " + position + " > " + end + " bytes)");
    }
    return true;
  }

  /** Inflates one zlib or raw-deflate stream into {@code sink}; returns the count of input bytes after its end. */
  private static int inflate(Compression method, Inflater inflater, byte[] data, int offset, int length, Sink sink) {
    inflater.reset();
    inflater.setInput(data, offset, length);
    try {
      while (!inflater.finished()) {
        sink.ensureSpace();
        int n = inflater.inflate(sink.buf, sink.size, sink.buf.length - sink.size);
        sink.size += n;
        if (n == 0 && !inflater.finished()) {
          if (inflater.needsDictionary()) {
            throw new DecompressionException(method + ": stream needs a preset dictionary, which protocol 0.7 never uses");
          }
          if (inflater.needsInput()) {
            throw new DecompressionException(method + ": truncated deflate stream (" + length + " input bytes consumed)");
          }
        }
        sink.checkLimit();
      }
      return inflater.getRemaining();
    } catch (DataFormatException e) {
      throw new DecompressionException(method + ": invalid deflate data: " + e.getMessage(), e);
    } finally {
      inflater.reset(); // drop references to the input
    }
  }

  // ---- snappy ----

  private static byte[] unsnappy(byte[] data, int offset, int length, int max) {
    // The raw format starts with the uncompressed length as a little-endian base-128 varint of at most 32 bits:
    // read it ourselves and check it against the limit before snappy-java allocates anything.
    long declared = 0;
    int i = 0;
    for (int shift = 0; ; shift += 7, i++) {
      if (i >= length || shift > 28) {
        throw new DecompressionException("snappy(0x20): invalid length preamble in " + length + " bytes");
      }
      int b = data[offset + i] & 0xff;
      declared |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        break;
      }
    }
    if (declared > max) {
      throw new FrameTooLongException(
          "snappy(0x20): declared uncompressed length " + declared + " exceeds the limit of " + max + " bytes");
    }
    try {
      return SnappyCodec.uncompress(data, offset, length, (int) declared);
    } catch (IOException | RuntimeException e) {
      throw new DecompressionException("snappy(0x20): invalid data: " + e.getMessage(), e);
    }
  }

  // ---- bz2 / xz ----

  private static byte[] drain(Compression method, byte[] data, int offset, int length, int max) {
    Sink sink = new Sink(method, max, length);
    try (InputStream in = open(method, new ByteArrayInputStream(data, offset, length))) {
      while (true) {
        sink.ensureSpace();
        int n = in.read(sink.buf, sink.size, sink.buf.length - sink.size);
        if (n < 0) {
          return sink.toByteArray();
        }
        sink.size += n;
        sink.checkLimit();
      }
    } catch (IOException e) {
      throw new DecompressionException(method + ": invalid data: " + e, e);
    } catch (FrameTooLongException e) {
      throw e;
    } catch (RuntimeException e) {
      // Some decoders signal corrupt input with unchecked exceptions; it is still the peer's bad data.
      throw new DecompressionException(method + ": invalid data: " + e, e);
    }
  }

  private static InputStream open(Compression method, InputStream in) throws IOException {
    return method == Compression.BZ2 ? Bz2Codec.open(in) : XzCodec.open(in);
  }

  // ---- helpers ----

  private static void putIntLe(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  private static int getIntLe(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  /** A growable output buffer that never exceeds {@code max + 1} bytes and fails once it holds more than max. */
  private static final class Sink {
    private final Compression method;
    private final int max;
    byte[] buf;
    int size;

    Sink(Compression method, int max, int inputLength) {
      this.method = method;
      this.max = max;
      // Guess 4x the input, but never beyond the hard cap of max + 1 bytes.
      this.buf = new byte[(int) Math.min((long) max + 1, Math.max(256L, 4L * inputLength))];
    }

    void ensureSpace() {
      if (size == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min((long) max + 1, 2L * buf.length));
      }
    }

    void checkLimit() {
      if (size > max) {
        throw new FrameTooLongException(
            method + ": decompressed output exceeds the limit of " + max + " bytes (stopped at " + size + ")");
      }
    }

    byte[] toByteArray() {
      return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }
  }
}
