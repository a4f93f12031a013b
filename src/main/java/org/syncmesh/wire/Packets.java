package org.syncmesh.wire;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * The msgpack ⇄ Java mapping of protocol 0.7 packets (PROTOCOL.md §2), using msgpack-java.
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
  private static final MessagePack.PackerConfig PACKER_CONFIG = new MessagePack.PackerConfig().withBufferSize(512);

  private Packets() {}

  /**
   * Encodes one value.
   *
   * @throws IllegalArgumentException naming the path of the first value that cannot be encoded
   */
  public static byte[] encode(@Nullable Object value) {
    MessageBufferPacker packer = PACKER_CONFIG.newBufferPacker();
    packRoot(packer, value, "value");
    return packer.toByteArray();
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
    packRoot(packer, value, "value");
  }

  /**
   * Validates, writes (when {@code packer} is non-null) and returns {@code value} in the decoded Java mapping
   * (Long for small integers, Bytes for byte[], unmodifiable List and Map copies), under the error-path name
   * {@code root}.
   */
  static @Nullable Object packRoot(@Nullable MessagePacker packer, @Nullable Object value, String root) {
    try {
      return new Encoder(packer).pack(value, 0);
    } catch (EncodeFailure f) {
      throw new IllegalArgumentException(root + f.path() + ": " + f.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("in-memory msgpack packer failed", e);
    }
  }

  /**
   * Validates and writes the elements of {@code items} to {@code packer} without an array header, naming failures
   * {@code root[i]}; returns them normalised as {@link #packRoot} does, as an unmodifiable list.
   */
  static List<@Nullable Object> packElements(MessagePacker packer, List<?> items, String root) {
    Object[] array = items.toArray();
    Encoder encoder = new Encoder(packer);
    int i = 0;
    try {
      for (; i < array.length; i++) {
        array[i] = encoder.pack(array[i], 1);
      }
    } catch (EncodeFailure f) {
      throw new IllegalArgumentException(root + "[" + i + "]" + f.path() + ": " + f.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("in-memory msgpack packer failed", e);
    }
    return Collections.unmodifiableList(java.util.Arrays.asList(array));
  }

  /** A packer with a buffer sized for typical messages. */
  static MessageBufferPacker newBufferPacker() {
    return PACKER_CONFIG.newBufferPacker();
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

  /** As {@link #decode(byte[])}, for {@code data[offset, offset + length)}. */
  public static @Nullable Object decode(byte[] data, int offset, int length) {
    Checks.notNull(data, "data");
    Checks.fromIndexSize(offset, length, data.length);
    if (length == 0) {
      throw new MalformedMsgpackException("empty input (expected: exactly one msgpack value)");
    }
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(data, offset, length)) {
      Object value = new Decoder(unpacker, length).unpack(0);
      if (unpacker.hasNext()) {
        long read = unpacker.getTotalReadBytes();
        throw new MalformedMsgpackException(
            (length - read) + " trailing bytes after the msgpack value ending at offset " + read + " of " + length);
      }
      return value;
    } catch (IOException | MessagePackException e) {
      throw new MalformedMsgpackException("invalid msgpack (" + length + " bytes): " + e.getMessage(), e);
    }
  }

  /**
   * Reads one value from {@code unpacker}, which must read from at most {@code maxBytes} bytes (used to refuse
   * headers that claim more elements or bytes than exist).
   *
   * @throws MalformedMsgpackException if the next value is malformed or outside the mapping
   */
  public static @Nullable Object unpack(MessageUnpacker unpacker, long maxBytes) {
    Checks.notNull(unpacker, "unpacker");
    try {
      return new Decoder(unpacker, maxBytes).unpack(0);
    } catch (IOException | MessagePackException e) {
      throw new MalformedMsgpackException("invalid msgpack: " + e.getMessage(), e);
    }
  }

  /** A short one-line rendering for logs, e.g. {@code [11, b'6b6579', "value"]}, cut after about 200 chars. */
  public static String describe(@Nullable Object value) {
    StringBuilder sb = new StringBuilder();
    Describer.append(sb, value, 0);
    return sb.length() > Describer.LIMIT ? sb.substring(0, Describer.LIMIT) + "…" : sb.toString();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** One encoding pass: validates, optionally packs, and returns the normalised value. */
  private static final class Encoder {
    private final @Nullable MessagePacker out;

    Encoder(@Nullable MessagePacker out) {
      this.out = out;
    }

    @Nullable Object pack(@Nullable Object v, int depth) throws IOException {
      if (v == null) {
        if (out != null) out.packNil();
        return null;
      } else if (v instanceof String s) {
        checkUtf16(s);
        if (out != null) out.packString(s);
        return s;
      } else if (v instanceof Long l) {
        if (out != null) out.packLong(l);
        return l;
      } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        long l = ((Number) v).longValue();
        if (out != null) out.packLong(l);
        return l;
      } else if (v instanceof Bytes b) {
        if (out != null) {
          out.packBinaryHeader(b.size());
          out.writePayload(b.internalArray());
        }
        return b;
      } else if (v instanceof byte[] a) {
        Bytes b = Bytes.of(a); // copy first: what we return must be what we wrote
        if (out != null) {
          out.packBinaryHeader(b.size());
          out.writePayload(b.internalArray());
        }
        return b;
      } else if (v instanceof Boolean z) {
        if (out != null) out.packBoolean(z);
        return z;
      } else if (v instanceof Double d) {
        if (out != null) out.packDouble(d);
        return d;
      } else if (v instanceof Float f) {
        if (out != null) out.packFloat(f);
        return f;
      } else if (v instanceof BigInteger big) {
        if (big.compareTo(INT64_MIN) < 0 || big.compareTo(UINT64_MAX) > 0) {
          throw new EncodeFailure("integer " + big + " is outside msgpack's range [-2^63, 2^64-1]");
        }
        if (out != null) out.packBigInteger(big);
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

    private List<@Nullable Object> packArray(@Nullable Object[] items, int depth) throws IOException {
      checkDepth(depth);
      if (out != null) out.packArrayHeader(items.length);
      for (int i = 0; i < items.length; i++) {
        try {
          items[i] = pack(items[i], depth + 1);
        } catch (EncodeFailure f) {
          throw f.under("[" + i + "]");
        }
      }
      return Collections.unmodifiableList(java.util.Arrays.asList(items));
    }

    private Map<@Nullable Object, @Nullable Object> packMap(Map<?, ?> map, int depth) throws IOException {
      checkDepth(depth);
      Object[] entries = map.entrySet().toArray(); // one consistent snapshot of size and contents
      if (out != null) out.packMapHeader(entries.length);
      Map<@Nullable Object, @Nullable Object> copy = new LinkedHashMap<>(entries.length * 4 / 3 + 1);
      Set<@Nullable Object> seen = entries.length > 1 ? new HashSet<>(entries.length * 4 / 3 + 1) : null;
      for (Object o : entries) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
        String at = "[" + Describer.key(e.getKey()) + "]";
        Object key;
        try {
          key = pack(e.getKey(), depth + 1);
        } catch (EncodeFailure f) {
          throw f.under(at + "(the key)");
        }
        if (seen != null && !seen.add(PythonKey.of(key))) {
          throw new EncodeFailure("duplicate map key " + Describer.key(e.getKey())
              + " (py2p drops the link on duplicate keys; 1, 1.0 and true are one key, byte[] compare by content)")
              .under(at);
        }
        try {
          copy.put(key, pack(e.getValue(), depth + 1));
        } catch (EncodeFailure f) {
          throw f.under(at);
        }
      }
      return Collections.unmodifiableMap(copy);
    }

    private static void checkDepth(int depth) {
      if (depth >= MAX_DEPTH) {
        throw new EncodeFailure("nesting deeper than " + MAX_DEPTH + " levels (a cyclic structure?)");
      }
    }

    /** Rejects unpaired surrogates, which have no UTF-8 encoding; msgpack-java would silently write '?'. */
    private static void checkUtf16(String s) {
      for (int i = 0, n = s.length(); i < n; i++) {
        char c = s.charAt(i);
        if (Character.isSurrogate(c)) {
          if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
            i++;
          } else {
            throw new EncodeFailure("string has an unpaired surrogate U+" + Integer.toHexString(c).toUpperCase()
                + " at char index " + i + " (expected: valid UTF-16, since we never emit invalid UTF-8)");
          }
        }
      }
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

  /** A decoding pass over one unpacker. */
  private static final class Decoder {
    private final MessageUnpacker in;
    private final long limit;

    Decoder(MessageUnpacker in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    private long remaining() {
      return limit - in.getTotalReadBytes();
    }

    @Nullable Object unpack(int depth) throws IOException {
      if (!in.hasNext()) {
        throw new MalformedMsgpackException("truncated msgpack: input ended at offset " + in.getTotalReadBytes()
            + " where a value was expected");
      }
      MessageFormat f = in.getNextFormat();
      switch (f) {
        case NIL:
          in.unpackNil();
          return null;
        case BOOLEAN:
          return in.unpackBoolean();
        case POSFIXINT: case NEGFIXINT: case UINT8: case UINT16: case UINT32: case INT8: case INT16: case INT32:
        case INT64:
          return in.unpackLong();
        case UINT64: {
          BigInteger big = in.unpackBigInteger();
          return big.bitLength() <= 63 ? (Object) big.longValue() : big;
        }
        case FLOAT32:
          return in.unpackFloat();
        case FLOAT64:
          return in.unpackDouble();
        case FIXSTR: case STR8: case STR16: case STR32: {
          int n = checkedLength(in.unpackRawStringHeader(), "str");
          MessageBuffer ref = in.readPayloadAsReference(n);
          if (ref.hasArray()) {
            return new String(ref.array(), ref.arrayOffset(), n, StandardCharsets.UTF_8); // lenient: U+FFFD
          }
          return new String(ref.toByteArray(), StandardCharsets.UTF_8);
        }
        case BIN8: case BIN16: case BIN32: {
          int n = checkedLength(in.unpackBinaryHeader(), "bin");
          return Bytes.trusted(in.readPayload(n));
        }
        case FIXARRAY: case ARRAY16: case ARRAY32: {
          checkDepth(depth);
          int n = checkedLength(in.unpackArrayHeader(), "array");
          Object[] items = new Object[n];
          for (int i = 0; i < n; i++) {
            items[i] = unpack(depth + 1);
          }
          return Collections.unmodifiableList(java.util.Arrays.asList(items));
        }
        case FIXMAP: case MAP16: case MAP32: {
          checkDepth(depth);
          int n = checkedLength(in.unpackMapHeader(), "map");
          Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, n * 4 / 3 + 1));
          for (int i = 0; i < n; i++) {
            Object key = unpack(depth + 1);
            map.put(key, unpack(depth + 1)); // duplicate keys: last wins, leniently (js2p does the same)
          }
          return Collections.unmodifiableMap(map);
        }
        case FIXEXT1: case FIXEXT2: case FIXEXT4: case FIXEXT8: case FIXEXT16: case EXT8: case EXT16: case EXT32:
          throw new MalformedMsgpackException("msgpack ext type at offset " + in.getTotalReadBytes()
              + " (protocol 0.7 never uses ext types, §2.4)");
        default:
          throw new MalformedMsgpackException("never-used msgpack byte 0xc1 at offset " + in.getTotalReadBytes());
      }
    }

    /** Each element or byte takes at least one input byte, so a count above what remains is a lie: refuse it. */
    private int checkedLength(int n, String what) {
      long remaining = remaining();
      if (n < 0 || n > remaining) {
        throw new MalformedMsgpackException(what + " header at offset " + in.getTotalReadBytes() + " claims "
            + Integer.toUnsignedString(n) + " elements/bytes but only " + remaining + " bytes remain");
      }
      return n;
    }

    private void checkDepth(int depth) {
      if (depth >= MAX_DEPTH) {
        throw new MalformedMsgpackException("msgpack nested deeper than " + MAX_DEPTH + " levels at offset "
            + in.getTotalReadBytes());
      }
    }
  }
}
