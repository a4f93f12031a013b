package org.syncmesh.wire;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.syncmesh.Bytes;

/**
 * The msgpack ⇄ Java mapping of protocol 0.7 packets (docs/protocol-0.7.md §2), using msgpack-java.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>msgpack</th><th>decodes to</th><th>encoded from</th></tr>
 *   <tr><td>nil</td><td>{@code null}</td><td>{@code null}</td></tr>
 *   <tr><td>bool</td><td>{@link Boolean}</td><td>{@link Boolean}</td></tr>
 *   <tr><td>int</td><td>{@link Long}; uint64 above {@code Long.MAX_VALUE} as {@link BigInteger}</td>
 *       <td>Byte, Short, Integer, Long, BigInteger in [−2^63, 2^64−1], smallest encoding (fixint, cc–cf, d0–d3)</td></tr>
 *   <tr><td>float32 / float64</td><td>{@link Float} / {@link Double}</td><td>{@link Float} / {@link Double}</td></tr>
 *   <tr><td>str</td><td>{@link String}; invalid UTF-8 becomes U+FFFD, as in js2p</td>
 *       <td>{@link String} without unpaired surrogates (never emit invalid UTF-8, §2.1, §13.21)</td></tr>
 *   <tr><td>bin</td><td>{@link Bytes}</td><td>{@link Bytes}, {@code byte[]}</td></tr>
 *   <tr><td>array</td><td>unmodifiable {@link List}</td><td>any {@link List}, {@code Object[]}</td></tr>
 *   <tr><td>map</td><td>unmodifiable insertion-ordered {@link Map}; duplicate keys: last wins</td>
 *       <td>any {@link Map} without duplicate keys (below)</td></tr>
 *   <tr><td>ext, 0xc1</td><td>{@link MalformedMsgpackException}</td><td>never emitted</td></tr>
 * </table>
 *
 * <p>Duplicate map keys make py2p drop the link (§2.1), so encoding rejects a map whose keys would collide in a
 * Python dict after decoding: {@code byte[]} keys compare by content, and {@code 1}, {@code 1L}, {@code 1.0} and
 * {@code true} are one key. str and bin keys stay distinct, as in Python 3.
 *
 * <p>Nesting is capped at {@link #MAX_DEPTH} levels both ways, so hostile input cannot exhaust the stack and a
 * cyclic Java structure fails cleanly.
 *
 * <p>Stateless and thread-safe. Encoding errors are {@link IllegalArgumentException}s that say where the bad value
 * sits, e.g. {@code packets[2]["a"][3]: cannot encode java.time.Instant (...)}; decoding errors are
 * {@link MalformedMsgpackException}s that give the byte offset.
 */
public final class Packets {
  /** Deepest array/map nesting accepted when decoding or encoding. */
  public static final int MAX_DEPTH = 512;

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final String EXPECTED_TYPES =
      "expected null, Boolean, integer, Float, Double, String, Bytes, byte[], List, Object[] or Map";

  private Packets() {}

  /**
   * Encodes one value.
   *
   * @throws IllegalArgumentException naming the path of the first value that cannot be encoded
   */
  public static byte[] encode(@Nullable Object value) {
    MsgpackWriter writer = MsgpackWriter.scratch();
    packRoot(writer, value, "value");
    return writer.toByteArray();
  }

  /**
   * Checks that {@code value} can be encoded, with the checks and messages of {@link #encode}, producing nothing:
   * for validating a user's value before any effect.
   *
   * @throws IllegalArgumentException naming the path of the first value that cannot be encoded
   */
  public static void requireEncodable(@Nullable Object value) {
    packRoot(null, value, "value");
  }

  /**
   * Writes {@code value} to {@code packer}.
   *
   * @throws IllegalArgumentException naming the path of the first value that cannot be encoded; the packer may then
   *                                  hold a partial value
   * @throws IOException              if the packer's output fails
   */
  public static void pack(MessagePacker packer, @Nullable Object value) throws IOException {
    Checks.notNull(packer, "packer");
    packer.writePayload(encode(value)); // same bytes msgpack-java would write, see MsgpackWriter
  }

  /**
   * Validates, writes (when {@code packer} is non-null) and returns {@code value} in the decoded Java mapping
   * (Long for small integers, Bytes for byte[], unmodifiable List and Map copies), under the error-path name
   * {@code root}.
   */
  static @Nullable Object packRoot(@Nullable MsgpackWriter writer, @Nullable Object value, String root) {
    try {
      return new Encoder(writer).pack(value, 0);
    } catch (EncodeFailure f) {
      throw new IllegalArgumentException(root + f.path() + ": " + f.getMessage());
    }
  }

  /**
   * Validates and writes the elements of {@code items} to {@code packer} without an array header, naming failures
   * {@code root[i]}; returns them normalised as {@link #packRoot} does, as an unmodifiable list.
   */
  static List<@Nullable Object> packElements(MsgpackWriter writer, @Nullable Object[] array, String root) {
    Encoder encoder = new Encoder(writer);
    int i = 0;
    try {
      for (; i < array.length; i++) {
        array[i] = encoder.pack(array[i], 1);
      }
    } catch (EncodeFailure f) {
      throw new IllegalArgumentException(root + "[" + i + "]" + f.path() + ": " + f.getMessage());
    }
    return Collections.unmodifiableList(java.util.Arrays.asList(array));
  }

  /**
   * Decodes exactly one msgpack value occupying all of {@code msgpack}.
   *
   * @throws MalformedMsgpackException if the bytes are not exactly one well-formed value of the mapping above
   */
  public static @Nullable Object decode(byte[] msgpack) {
    Checks.notNull(msgpack, "msgpack");
    return decode(msgpack, 0, msgpack.length);
  }

  /**
   * Decodes {@code data}, one msgpack array of at least {@code head.length} elements, as {@link #decode(byte[])}
   * would: its first elements into {@code head}, the others returned as an unmodifiable list. Returns null if
   * {@code data} does not start with such an array (decode it to learn what it holds).
   *
   * @throws MalformedMsgpackException as {@link #decode(byte[])}
   */
  static @Nullable List<@Nullable Object> decodeArrayAfter(byte[] data, @Nullable Object[] head) {
    if (data.length == 0) {
      return null;
    }
    MsgpackReader reader = new MsgpackReader(data, 0, data.length);
    List<@Nullable Object> rest = reader.arrayAfter(head);
    if (rest != null) {
      requireAllRead(reader, data.length);
    }
    return rest;
  }

  /** Refuses bytes after the one value {@code reader} read from {@code length} bytes. */
  private static void requireAllRead(MsgpackReader reader, int length) {
    if (reader.hasMore()) {
      int read = reader.consumed();
      throw new MalformedMsgpackException(
          (length - read) + " trailing bytes after the msgpack value ending at offset " + read + " of " + length);
    }
  }

  /** As {@link #decode(byte[])}, for {@code data[offset, offset + length)}. */
  public static @Nullable Object decode(byte[] data, int offset, int length) {
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    if (length == 0) {
      throw new MalformedMsgpackException("empty input (expected: exactly one msgpack value)");
    }
    MsgpackReader reader = new MsgpackReader(data, offset, length);
    Object value = reader.read(0);
    requireAllRead(reader, length);
    return value;
  }

  /**
   * Reads one value from {@code unpacker}, which must read from at most {@code maxBytes} bytes (used to refuse
   * headers that claim more elements or bytes than exist).
   *
   * @throws MalformedMsgpackException if the next value is malformed or outside the mapping
   */
  public static @Nullable Object unpack(MessageUnpacker unpacker, long maxBytes) {
    Checks.notNull(unpacker, "unpacker");
    return UnpackerDecoder.unpack(unpacker, maxBytes);
  }

  /** A short one-line rendering for logs, e.g. {@code [11, b'6b6579', "value"]}, cut after about 200 chars. */
  public static String describe(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    Describer.append(sb, value, 0);
    return sb.length() > Describer.LIMIT ? sb.substring(0, Describer.LIMIT) + "…" : sb.toString();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** One encoding pass: validates, optionally writes, and returns the normalised value. */
  private static final class Encoder {
    private final @Nullable MsgpackWriter out;
    /** What the receiver's decoder will charge for this value ({@link DecodedCost}): refused here first. */
    private long cost;

    Encoder(@Nullable MsgpackWriter out) {
      this.out = out;
    }

    private void charge(long bytes) {
      cost += bytes;
      if (cost > DecodedCost.MAX_BYTES) {
        throw new EncodeFailure(DecodedCost.tooLarge(cost) + ": peers would refuse it");
      }
    }

    @Nullable Object pack(@Nullable Object v, int depth) {
      charge(DecodedCost.NUMBER);
      if (v == null) {
        if (out != null) out.writeNil();
        return null;
      } else if (v instanceof String s) {
        if (out == null || !out.tryWriteAsciiString(s)) {
          int utf8Length = utf8Length(s); // also rejects unpaired surrogates
          if (out != null) out.writeString(s, utf8Length);
          charge(DecodedCost.bytes(utf8Length));
        } else {
          charge(DecodedCost.bytes(s.length()));
        }
        return s;
      } else if (v instanceof Long l) {
        if (out != null) out.writeLong(l);
        return l;
      } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        long l = ((Number) v).longValue();
        if (out != null) out.writeLong(l);
        return l;
      } else if (v instanceof Bytes b) {
        charge(DecodedCost.bytes(b.size()));
        if (out != null) out.writeBinary(BytesInternals.array(b));
        return b;
      } else if (v instanceof byte[] a) {
        Bytes b = Bytes.of(a); // copy first: what we return must be what we wrote
        charge(DecodedCost.bytes(b.size()));
        if (out != null) out.writeBinary(BytesInternals.array(b));
        return b;
      } else if (v instanceof Boolean z) {
        if (out != null) out.writeBoolean(z);
        return z;
      } else if (v instanceof Double d) {
        if (out != null) out.writeDouble(d);
        return d;
      } else if (v instanceof Float f) {
        if (out != null) out.writeFloat(f);
        return f;
      } else if (v instanceof BigInteger big) {
        if (big.compareTo(INT64_MIN) < 0 || big.compareTo(UINT64_MAX) > 0) {
          throw new EncodeFailure("integer " + big + " is outside msgpack's range [-2^63, 2^64-1]");
        }
        if (out != null) out.writeBigInteger(big);
        return big.bitLength() <= 63 ? (Object) big.longValue() : big;
      } else if (v instanceof List<?> list) {
        return packArray(list.toArray(), depth);
      } else if (v instanceof Object[] array) {
        return packArray(array.clone(), depth);
      } else if (v instanceof Map<?, ?> map) {
        return packMap(map, depth);
      }
      throw new EncodeFailure("cannot encode " + v.getClass().getName() + " (" + EXPECTED_TYPES + ")");
    }

    private List<@Nullable Object> packArray(@Nullable Object[] items, int depth) {
      checkDepth(depth);
      charge(DecodedCost.array(items.length));
      if (out != null) out.writeArrayHeader(items.length);
      for (int i = 0; i < items.length; i++) {
        try {
          items[i] = pack(items[i], depth + 1);
        } catch (EncodeFailure f) {
          throw f.under("[" + i + "]");
        }
      }
      return Collections.unmodifiableList(java.util.Arrays.asList(items));
    }

    private Map<@Nullable Object, @Nullable Object> packMap(Map<?, ?> map, int depth) {
      checkDepth(depth);
      Object[] entries = map.entrySet().toArray(); // one consistent snapshot of size and contents
      charge(DecodedCost.map(entries.length));
      if (out != null) out.writeMapHeader(entries.length);
      Map<@Nullable Object, @Nullable Object> copy = new LinkedHashMap<>(entries.length * 4 / 3 + 1);
      Set<@Nullable Object> seen = entries.length > 1 ? new HashSet<>(entries.length * 4 / 3 + 1) : null;
      for (Object o : entries) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
        Object key;
        try {
          key = pack(e.getKey(), depth + 1);
        } catch (EncodeFailure f) {
          throw f.under("[" + Describer.key(e.getKey()) + "](the key)");
        }
        if (seen != null && !seen.add(PythonKey.of(key))) {
          throw new EncodeFailure("duplicate map key " + Describer.key(e.getKey())
              + " (py2p drops the link on duplicate keys; 1, 1.0 and true are one key, byte[] compare by content)")
              .under("[" + Describer.key(e.getKey()) + "]");
        }
        try {
          copy.put(key, pack(e.getValue(), depth + 1));
        } catch (EncodeFailure f) {
          throw f.under("[" + Describer.key(e.getKey()) + "]");
        }
      }
      return Collections.unmodifiableMap(copy);
    }

    private static void checkDepth(int depth) {
      if (depth >= MAX_DEPTH) {
        throw new EncodeFailure("nesting deeper than " + MAX_DEPTH + " levels (a cyclic structure?)");
      }
    }

    /**
     * The UTF-8 length of {@code s}; rejects unpaired surrogates, which have no UTF-8 encoding (we never emit
     * invalid UTF-8, §2.1; msgpack-java would silently write '?').
     */
    private static int utf8Length(String s) {
      int n = s.length();
      long bytes = n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c < 0x80) {
          continue;
        }
        if (c < 0x800) {
          bytes += 1;
        } else if (!Character.isSurrogate(c)) {
          bytes += 2;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // 4 bytes for 2 chars
          i++;
        } else {
          throw new EncodeFailure("string has an unpaired surrogate U+" + Integer.toHexString(c).toUpperCase()
              + " at char index " + i + " (expected: valid UTF-16, since we never emit invalid UTF-8)");
        }
      }
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new EncodeFailure("string of " + bytes + " UTF-8 bytes is too long");
      }
      return (int) bytes;
    }
  }

  /** Signals an encoding error, collecting the path on the way up; no stack trace, it never escapes. */
  private static final class EncodeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> segments = new ArrayList<>(); // innermost first

    EncodeFailure(String message) {
      super(message, null, false, false);
    }

    EncodeFailure under(String segment) {
      segments.add(segment);
      return this;
    }

    String path() {
      StringBuilder sb = new StringBuilder();
      for (int i = segments.size() - 1; i >= 0; i--) {
        sb.append(segments.get(i));
      }
      return sb.toString();
    }
  }
}
