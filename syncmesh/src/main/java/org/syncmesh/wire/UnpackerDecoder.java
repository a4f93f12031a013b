package org.syncmesh.wire;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;

/**
 * Reads one value of the {@link Packets} mapping from a msgpack-java {@link MessageUnpacker}, for callers that
 * already hold one ({@link Packets#unpack}). Same rules as {@link MsgpackReader}, which the frame hot path uses;
 * property tests check that the two agree. Not thread-safe; one instance per value.
 */
final class UnpackerDecoder {
  static @Nullable Object unpack(MessageUnpacker unpacker, long maxBytes) {
    try {
      return new UnpackerDecoder(unpacker, maxBytes).unpack(0);
    } catch (IOException | MessagePackException e) {
      throw new MalformedMsgpackException("invalid msgpack: " + e.getMessage(), e);
    }
  }

  private final MessageUnpacker in;
  private final long limit;
  /** The estimated heap cost of what has been decoded so far ({@link DecodedCost}). */
  private long cost;

  private UnpackerDecoder(MessageUnpacker in, long limit) {
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
    charge(DecodedCost.NUMBER);
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
        charge(DecodedCost.bytes(n));
        MessageBuffer ref = in.readPayloadAsReference(n);
        if (ref.hasArray()) {
          return new String(ref.array(), ref.arrayOffset(), n, StandardCharsets.UTF_8); // lenient: U+FFFD
        }
        return new String(ref.toByteArray(), StandardCharsets.UTF_8);
      }
      case BIN8: case BIN16: case BIN32: {
        int n = checkedLength(in.unpackBinaryHeader(), "bin");
        charge(DecodedCost.bytes(n));
        return BytesInternals.trusted(in.readPayload(n));
      }
      case FIXARRAY: case ARRAY16: case ARRAY32: {
        checkDepth(depth);
        int n = checkedLength(in.unpackArrayHeader(), "array");
        charge(DecodedCost.array(n));
        if (n == 0) {
          return Collections.emptyList();
        }
        Object[] items = new Object[n];
        for (int i = 0; i < n; i++) {
          items[i] = unpack(depth + 1);
        }
        return Collections.unmodifiableList(java.util.Arrays.asList(items));
      }
      case FIXMAP: case MAP16: case MAP32: {
        checkDepth(depth);
        int n = checkedLength(in.unpackMapHeader(), "map");
        charge(DecodedCost.map(n));
        if (n == 0) {
          return Collections.emptyMap();
        }
        Map<Object, Object> map = new LinkedHashMap<>(n * 4 / 3 + 1);
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

  private void charge(long bytes) {
    cost += bytes;
    if (cost > DecodedCost.MAX_BYTES) {
      throw new MalformedMsgpackException(DecodedCost.tooLarge(cost) + " (at offset " + in.getTotalReadBytes() + ")");
    }
  }

  private void checkDepth(int depth) {
    if (depth >= Packets.MAX_DEPTH) {
      throw new MalformedMsgpackException("msgpack nested deeper than " + Packets.MAX_DEPTH + " levels at offset "
          + in.getTotalReadBytes());
    }
  }
}
