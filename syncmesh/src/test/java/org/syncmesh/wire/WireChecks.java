package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.syncmesh.testing.Allocations;

/**
 * Checks on decoded input shared by the property and fuzz tests: decoding fails only in documented ways and within
 * a memory budget, and what decodes encodes again to something that decodes to an equal value.
 */
final class WireChecks {
  private static final int MIB = 1 << 20;
  /**
   * The most a decoded msgpack value may take per byte of input, plus a constant for class loading and buffers:
   * anything that grows faster than the input, such as a buffer sized from a header, fails. Today's worst case is
   * about 92 (an array of empty maps, each an unmodifiable LinkedHashMap; {@link DecodeAllocationTest}), so the frame
   * cap alone bounds a frame's decoded tree only to about 90 times the cap.
   */
  static final int DECODED_BYTES_PER_INPUT_BYTE = 128;

  private WireChecks() {}

  /** The allocation allowed for decoding {@code inputBytes} of msgpack. */
  static long msgpackBudget(long inputBytes) {
    return MIB + DECODED_BYTES_PER_INPUT_BYTE * inputBytes;
  }

  /**
   * The allocation allowed for decoding a payload of {@code inputBytes} with {@code codec} under every compression
   * method: an xz dictionary up to the decoder's memory cap, bzip2's block buffers, each method's output up to the
   * frame cap, and the body decoded from the largest of them.
   */
  static long frameBudget(FrameCodec codec, long inputBytes) {
    long limit = codec.maxFrameBytes() + 1L;
    return Codecs.XZ_MEMORY_LIMIT_KIB * 1024L + 8L * MIB + 8 * limit + 16 * inputBytes + msgpackBudget(limit);
  }

  /**
   * Runs {@code decode} and returns its result, or null if it threw one of the {@code documented} exceptions.
   *
   * @throws AssertionError if it threw anything else, or allocated more than {@code budgetBytes} on this thread
   *                        (measured on a second call if the first exceeds it: the first call of a code path also
   *                        loads classes on this thread, and under Jazzer instruments them)
   */
  static <T> @Nullable T decodes(long budgetBytes, Supplier<T> decode, Class<?>... documented) {
    List<Class<?>> expected = List.of(documented);
    Outcome<T> outcome = Outcome.of(decode, expected);
    if (outcome.allocatedBytes() > budgetBytes) {
      outcome = Outcome.of(decode, expected);
      assertThat(outcome.allocatedBytes()).as("bytes allocated while decoding").isLessThanOrEqualTo(budgetBytes);
    }
    return outcome.value();
  }

  /** What one decode returned (null if it threw a documented exception) and how much it allocated. */
  private record Outcome<T>(@Nullable T value, long allocatedBytes) {
    static <T> Outcome<T> of(Supplier<T> decode, List<Class<?>> documented) {
      long before = Allocations.ofCurrentThread();
      T value = null;
      try {
        value = decode.get();
      } catch (RuntimeException e) {
        if (documented.stream().noneMatch(c -> c.isInstance(e))) {
          throw new AssertionError("decoding threw " + e + ", none of the documented " + documented, e);
        }
      }
      return new Outcome<>(value, Allocations.ofCurrentThread() - before);
    }
  }

  /**
   * A decoded message is sent on as it came (raw and compressed), and its values, encoded afresh, decode equal to
   * themselves, unless they are what encoding refuses: a negative time, or map keys that are equal in Python.
   */
  static void assertMessageRoundTrips(FrameCodec codec, InternalMessage m) {
    assertThat(codec.decodeFrame(codec.encodeFrame(m, null), List.of())).isEqualTo(m);
    if (FrameCodec.CHECKSUM_BYTES + m.body().size() <= codec.maxFrameBytes() / 2) { // room for a poor compression
      Compression c = Compression.values()[Math.floorMod(m.id().hashCode(), Compression.values().length)];
      assertThat(codec.decodeFrame(codec.encodeFrame(m, c), List.of(c))).as("%s", c).isEqualTo(m);
    }
    InternalMessage created;
    try {
      created = InternalMessage.create(m.type(), m.sender(), m.time(), m.payload());
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage().startsWith("timeSeconds") && m.time() < 0
          || e.getMessage().contains("duplicate map key")).as("%s", e).isTrue();
      return;
    }
    InternalMessage again = InternalMessage.decodeBody(created.body());
    assertThat(again.type()).isEqualTo(m.type());
    assertThat(again.sender()).isEqualTo(m.sender());
    assertThat(again.time()).isEqualTo(m.time());
    assertThat(again.payload()).isEqualTo(m.payload());
  }

  /**
   * A decoded value encodes (unless it has map keys equal in Python, which encoding refuses) to bytes that decode
   * to an equal value and encode to the same bytes again: our encoding is canonical.
   */
  static void assertValueRoundTrips(@Nullable Object value) {
    byte[] encoded;
    try {
      encoded = Packets.encode(value);
    } catch (IllegalArgumentException e) {
      assertThat(e).hasMessageContaining("duplicate map key");
      return;
    }
    Object decoded = Packets.decode(encoded);
    assertThat(decoded).isEqualTo(value);
    assertThat(Packets.encode(decoded)).isEqualTo(encoded);
  }

  /** The direct reader of the hot path and the msgpack-java-based decoder accept and refuse the same bytes alike. */
  static void assertReadersAgree(byte[] bytes) throws IOException {
    Object direct;
    try {
      direct = Packets.decode(bytes);
    } catch (MalformedMsgpackException e) {
      direct = e;
    }
    Object viaLibrary;
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      viaLibrary = bytes.length == 0 ? new MalformedMsgpackException("empty") : Packets.unpack(u, bytes.length);
      if (u.hasNext()) {
        viaLibrary = new MalformedMsgpackException("trailing");
      }
    } catch (MalformedMsgpackException e) {
      viaLibrary = e;
    }
    if (direct instanceof MalformedMsgpackException) {
      assertThat(viaLibrary).as("%s", Bytes.of(bytes)).isInstanceOf(MalformedMsgpackException.class);
    } else {
      assertThat(viaLibrary).as("%s", Bytes.of(bytes)).isEqualTo(direct);
    }
  }
}
