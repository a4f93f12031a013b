package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Round trips of random packet trees and messages, and fuzzing of the decoders. */
final class WireProperties {
  private static final FrameCodec CODEC = new FrameCodec();
  private static final List<Compression> ALL = CompressionNegotiation.DEFAULT_PREFERENCE;

  @Property(tries = 500)
  void packets_roundTrip(@ForAll("trees") Object value) {
    assertThat(Packets.decode(Packets.encode(value))).isEqualTo(value);
  }

  /** The direct reader of the hot path agrees with the msgpack-java-based decoder, on valid and random input. */
  @Property(tries = 500)
  void directReader_agreesWithMsgpackJava(@ForAll("trees") Object value, @ForAll byte[] junk) {
    for (byte[] bytes : List.of(Packets.encode(value), junk)) {
      Object direct;
      try {
        direct = Packets.decode(bytes);
      } catch (MalformedMsgpackException e) {
        direct = e;
      }
      Object viaLibrary;
      try (org.msgpack.core.MessageUnpacker u = org.msgpack.core.MessagePack.newDefaultUnpacker(bytes)) {
        viaLibrary = bytes.length == 0 ? new MalformedMsgpackException("empty") : Packets.unpack(u, bytes.length);
        if (u.hasNext()) {
          viaLibrary = new MalformedMsgpackException("trailing");
        }
      } catch (MalformedMsgpackException e) {
        viaLibrary = e;
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      if (direct instanceof MalformedMsgpackException) {
        assertThat(viaLibrary).as("%s", Bytes.of(bytes)).isInstanceOf(MalformedMsgpackException.class);
      } else {
        assertThat(viaLibrary).as("%s", Bytes.of(bytes)).isEqualTo(direct);
      }
    }
  }

  /** The direct writer emits what msgpack-java's packer emits for the same values. */
  @Property(tries = 300)
  void directWriter_agreesWithMsgpackJava(@ForAll("scalars") Object value) throws java.io.IOException {
    org.msgpack.core.MessageBufferPacker p = org.msgpack.core.MessagePack.newDefaultBufferPacker();
    if (value instanceof String s) {
      p.packString(s);
    } else if (value instanceof Long l) {
      p.packLong(l);
    } else if (value instanceof BigInteger b) {
      p.packBigInteger(b);
    } else if (value instanceof Float f) {
      p.packFloat(f);
    } else if (value instanceof Double d) {
      p.packDouble(d);
    } else if (value instanceof Boolean z) {
      p.packBoolean(z);
    } else if (value instanceof Bytes b) {
      p.packBinaryHeader(b.size());
      p.writePayload(b.toByteArray());
    } else {
      p.packNil();
    }
    assertThat(Bytes.of(Packets.encode(value))).isEqualTo(Bytes.of(p.toByteArray()));
  }

  @Provide
  Arbitrary<Object> scalars() {
    return Arbitraries.oneOf(leaves(),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(25).ofMaxLength(70000).map(s -> (Object) s),
        Arbitraries.bytes().array(byte[].class).ofMinSize(200).ofMaxSize(70000).map(b -> (Object) Bytes.of(b)));
  }

  @Property(tries = 200)
  void strAndBin_stayDistinct(@ForAll("texts") String text) {
    List<Object> both = List.of(text, Bytes.utf8(text));
    List<?> decoded = (List<?>) Packets.decode(Packets.encode(both));
    assertThat(decoded.get(0)).isInstanceOf(String.class).isEqualTo(text);
    assertThat(decoded.get(1)).isInstanceOf(Bytes.class).isEqualTo(Bytes.utf8(text));
  }

  @Property(tries = 150)
  void messages_roundTripThroughEveryCompressionAndNone(@ForAll("messages") InternalMessage m) {
    List<Compression> methods = new ArrayList<>(List.of(Compression.values()));
    methods.add(null);
    for (Compression c : methods) {
      byte[] frame = CODEC.encodeFrame(m, c);
      InternalMessage back = CODEC.decodeFrame(frame, c == null ? List.of() : List.of(c));
      assertThat(back).isEqualTo(m);
      assertThat(back.payload()).isEqualTo(m.payload());
      assertThat(back.sender()).isEqualTo(m.sender());
      assertThat(back.time()).isEqualTo(m.time());
      assertThat(back.type()).isEqualTo(m.type());
      assertThat(CODEC.decodeFrame(frame, ALL)).isEqualTo(m);
    }
  }

  @Property(tries = 1000)
  void randomBodiesWithValidChecksum_failOnlyWithWireFormatExceptions(@ForAll byte[] body) {
    Throwable t = catchThrowable(() -> CODEC.decodePayload(FrameCodecTest.payloadOf(body), ALL));
    assertThat(t == null || t instanceof WireFormatException).as("%s", t).isTrue();
  }

  @Property(tries = 300)
  void randomPayloads_failOnlyWithWireFormatExceptions(@ForAll byte[] payload,
      @ForAll @IntRange(min = 0, max = 4) int method) {
    Compression c = Compression.values()[method];
    Throwable t = catchThrowable(() -> c.decompress(payload, 1 << 16));
    assertThat(t == null || t instanceof WireFormatException).as("%s", t).isTrue();
    assertThat(catchThrowable(() -> CODEC.decodePayload(payload, ALL))).isInstanceOf(WireFormatException.class);
  }

  @Property(tries = 300)
  void base58_roundTrips(@ForAll byte[] bytes) {
    BigInteger n = new BigInteger(1, bytes);
    String s = Base58.encodeUnsigned(bytes);
    assertThat(Base58.isBase58(s)).isTrue();
    assertThat(Base58.decode(s)).isEqualTo(n);
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<Integer> codePoints = Arbitraries.oneOf(
        Arbitraries.integers().between(0x20, 0x7e),
        Arbitraries.integers().between(0, 0xD7FF),
        Arbitraries.integers().between(0xE000, 0xFFFF),
        Arbitraries.integers().between(0x10000, 0x10FFFF)); // astral: surrogate pairs in Java
    return codePoints.list().ofMaxSize(24).map(cps -> {
      StringBuilder sb = new StringBuilder();
      cps.forEach(sb::appendCodePoint);
      return sb.toString();
    });
  }

  @Provide
  Arbitrary<Object> trees() {
    return Arbitraries.recursive(this::leaves, this::containers, 0, 3);
  }

  private Arbitrary<Object> leaves() {
    BigInteger two63 = BigInteger.ONE.shiftLeft(63);
    return Arbitraries.oneOf(
        Arbitraries.just((Object) null),
        Arbitraries.of(true, false),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.longs().between(-40, 300).map(l -> (Object) l),
        Arbitraries.bigIntegers().between(two63, two63.shiftLeft(1).subtract(BigInteger.ONE)).map(b -> (Object) b),
        Arbitraries.floats().map(f -> (Object) f),
        Arbitraries.doubles().map(d -> (Object) d),
        texts().map(s -> (Object) s),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b -> (Object) Bytes.of(b)));
  }

  private Arbitrary<Object> containers(Arbitrary<Object> inner) {
    Arbitrary<Object> keys = Arbitraries.oneOf(
        texts().map(s -> (Object) s),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(6).map(b -> (Object) Bytes.of(b)),
        Arbitraries.longs().between(-5, 5).map(l -> (Object) l),
        Arbitraries.of(true, false));
    return Arbitraries.oneOf(
        inner.list().ofMaxSize(5).map(l -> (Object) l),
        Arbitraries.maps(keys, inner).ofMaxSize(4).filter(WireProperties::pythonDistinctKeys).map(m -> (Object) m));
  }

  private static boolean pythonDistinctKeys(Map<Object, Object> map) {
    Set<Object> seen = new HashSet<>();
    return map.keySet().stream().allMatch(k -> seen.add(PythonKey.of(k)));
  }

  @Provide
  Arbitrary<InternalMessage> messages() {
    Arbitrary<Object> senders = Arbitraries.oneOf(
        Arbitraries.strings().withChars(Base58.ALPHABET).ofMinLength(1).ofMaxLength(66).map(s -> (Object) s),
        Arbitraries.strings().withChars(Base58.ALPHABET).ofMaxLength(66).map(s -> (Object) Bytes.utf8(s)));
    return Combinators.combine(
            Arbitraries.integers().between(0, 0x7f),
            senders,
            Arbitraries.longs().between(0, 1L << 40),
            trees().list().ofMaxSize(5))
        .as(InternalMessage::create);
  }
}
