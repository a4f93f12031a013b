package org.syncmesh.wire;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * A small direct msgpack reader over a byte range, used instead of msgpack-java's MessageUnpacker on the decode
 * hot path: the unpacker's buffers and objects cost about a third of a small-message round trip (measured by
 * FrameCodecBenchmark). Produces the {@link Packets} mapping and is checked against the msgpack-java-based
 * {@link UnpackerDecoder} by property tests.
 *
 * <p>Hostile input is refused before allocation: counts and lengths above the remaining bytes, nesting over
 * {@link Packets#MAX_DEPTH}, ext types and 0xc1 are {@link MalformedMsgpackException}s naming the offset.
 * Not thread-safe; one instance per decode.
 */
final class MsgpackReader {
  private final byte[] b;
  private final int start;
  private final int end;
  private int pos;
  /** The estimated heap cost of what has been decoded so far ({@link DecodedCost}). */
  private long cost;

  MsgpackReader(byte[] data, int offset, int length) {
    this.b = data;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
  }

  boolean hasMore() {
    return pos < end;
  }

  /** Bytes consumed so far. */
  int consumed() {
    return pos - start;
  }

  @Nullable Object read(int depth) {
    int t = u8();
    charge(DecodedCost.NUMBER); // every value is at least a reference in its container
    if (t <= 0x7f) {
      return (long) t;
    } else if (t >= 0xe0) {
      return (long) (byte) t;
    } else if (t <= 0x8f) {
      return map(t & 0x0f, depth);
    } else if (t <= 0x9f) {
      return array(t & 0x0f, depth);
    } else if (t <= 0xbf) {
      return str(t & 0x1f);
    }
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return Boolean.FALSE;
      case 0xc3: return Boolean.TRUE;
      case 0xc4: return bin(u8());
      case 0xc5: return bin(u16());
      case 0xc6: return bin(u32());
      case 0xca: return Float.intBitsToFloat((int) u32Raw());
      case 0xcb: return Double.longBitsToDouble(s64());
      case 0xcc: return (long) u8();
      case 0xcd: return (long) u16();
      case 0xce: return u32Raw();
      case 0xcf: {
        long v = s64();
        return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v)); // uint64 above 2^63-1
      }
      case 0xd0: return (long) (byte) u8();
      case 0xd1: return (long) (short) u16();
      case 0xd2: return (long) (int) u32Raw();
      case 0xd3: return s64();
      case 0xd9: return str(u8());
      case 0xda: return str(u16());
      case 0xdb: return str(u32());
      case 0xdc: return array(u16(), depth);
      case 0xdd: return array(u32(), depth);
      case 0xde: return map(u16(), depth);
      case 0xdf: return map(u32(), depth);
      case 0xc1:
        throw new MalformedMsgpackException("never-used msgpack byte 0xc1 at offset " + (consumed() - 1));
      default: // c7-c9, d4-d8
        throw new MalformedMsgpackException("msgpack ext type 0x" + Integer.toHexString(t) + " at offset "
            + (consumed() - 1) + " (protocol 0.7 never uses ext types, §2.4)");
    }
  }

  /**
   * Reads an array of at least {@code head.length} elements exactly as {@link #read} would, with its first elements
   * put in {@code head} and the others returned as an unmodifiable list: a message's header and payload, without
   * the whole array and a view of its tail. Returns null, having read nothing, if the value here is no such array.
   */
  @Nullable List<@Nullable Object> arrayAfter(@Nullable Object[] head) {
    int mark = pos;
    long n;
    int t = u8();
    if (t >= 0x90 && t <= 0x9f) {
      n = t & 0x0f;
    } else if (t == 0xdc) {
      n = u16();
    } else if (t == 0xdd) {
      n = u32Raw();
    } else {
      pos = mark;
      return null;
    }
    if (n < head.length) {
      pos = mark;
      return null;
    }
    charge(DecodedCost.NUMBER);
    checkDepth(0);
    int count = checkedLength(n, "array");
    charge(DecodedCost.array(count));
    for (int i = 0; i < head.length; i++) {
      head[i] = read(1);
    }
    if (count == head.length) {
      return Collections.emptyList();
    }
    Object[] rest = new Object[count - head.length];
    for (int i = 0; i < rest.length; i++) {
      rest[i] = read(1);
    }
    return Collections.unmodifiableList(Arrays.asList(rest));
  }

  private String str(long n) {
    int len = checkedLength(n, "str");
    charge(DecodedCost.bytes(len));
    if (len == 0) {
      return "";
    }
    String s = new String(b, pos, len, StandardCharsets.UTF_8); // lenient: invalid UTF-8 becomes U+FFFD, as js2p
    pos += len;
    return s;
  }

  private Bytes bin(long n) {
    int len = checkedLength(n, "bin");
    charge(DecodedCost.bytes(len));
    Bytes out = BytesInternals.trusted(Arrays.copyOfRange(b, pos, pos + len));
    pos += len;
    return out;
  }

  private Object array(long n, int depth) {
    checkDepth(depth);
    int count = checkedLength(n, "array");
    charge(DecodedCost.array(count));
    if (count == 0) {
      return Collections.emptyList(); // shared: an array of empty containers costs a reference each
    }
    Object[] items = new Object[count];
    for (int i = 0; i < count; i++) {
      items[i] = read(depth + 1);
    }
    return Collections.unmodifiableList(Arrays.asList(items));
  }

  private Object map(long n, int depth) {
    checkDepth(depth);
    int count = checkedLength(n, "map");
    charge(DecodedCost.map(count));
    if (count == 0) {
      return Collections.emptyMap();
    }
    Map<Object, Object> map = new LinkedHashMap<>(count * 4 / 3 + 1);
    for (int i = 0; i < count; i++) {
      Object key = read(depth + 1);
      map.put(key, read(depth + 1)); // duplicate keys: last wins, leniently (js2p does the same)
    }
    return Collections.unmodifiableMap(map);
  }

  /** Each element or byte takes at least one input byte, so a count above what remains is a lie: refuse it. */
  private int checkedLength(long n, String what) {
    if (n > end - pos) {
      throw new MalformedMsgpackException(what + " header before offset " + consumed() + " claims " + n
          + " elements/bytes but only " + (end - pos) + " bytes remain");
    }
    return (int) n;
  }

  private void charge(long bytes) {
    cost += bytes;
    if (cost > DecodedCost.MAX_BYTES) {
      throw new MalformedMsgpackException(DecodedCost.tooLarge(cost) + " (at offset " + consumed() + ")");
    }
  }

  private void checkDepth(int depth) {
    if (depth >= Packets.MAX_DEPTH) {
      throw new MalformedMsgpackException(
          "msgpack nested deeper than " + Packets.MAX_DEPTH + " levels at offset " + (consumed() - 1));
    }
  }

  private void need(int n) {
    if (end - pos < n) {
      throw new MalformedMsgpackException("truncated msgpack: needed " + n + " more bytes at offset " + consumed()
          + " of " + (end - start));
    }
  }

  private int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  private int u16() {
    need(2);
    int v = (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  private long u32() {
    return u32Raw();
  }

  private long u32Raw() {
    need(4);
    long v = (b[pos] & 0xffL) << 24 | (b[pos + 1] & 0xff) << 16 | (b[pos + 2] & 0xff) << 8 | (b[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  private long s64() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[pos + i] & 0xff);
    }
    pos += 8;
    return v;
  }
}
