package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.syncmesh.testing.Seeded.forAll;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.syncmesh.testing.Gen;

/**
 * Round trips of random packet trees and messages, and random and corrupted input for the decoders, with seeded
 * generators ({@link org.syncmesh.testing.Seeded}: a failure prints the {@code -Dsyncmesh.seed} that replays it).
 */
final class WireProperties {
  private static final FrameCodec CODEC = new FrameCodec();
  private static final List<Compression> ALL = CompressionNegotiation.DEFAULT_PREFERENCE;
  /** Where msgpack's str, bin, array and map headers change width. */
  private static final int[] HEADER_EDGES = {15, 16, 31, 32, 255, 256, 65535, 65536};

  /** A value and random bytes, for the decoder agreement check. */
  private record TreeAndJunk(Object tree, Bytes junk) {}

  /** Bytes to decompress with a method. */
  private record Compressed(Compression method, Bytes data) {}

  @Test
  void packets_roundTrip() {
    forAll(500, WireGen::tree, value -> assertThat(Packets.decode(Packets.encode(value))).isEqualTo(value));
  }

  /** The direct reader of the hot path agrees with the msgpack-java-based decoder, on valid and random input. */
  @Test
  void directReader_agreesWithMsgpackJava() {
    forAll(500, gen -> new TreeAndJunk(WireGen.tree(gen), Bytes.of(gen.oneOf(
            () -> gen.bytes(0, 255), () -> gen.mutate(Packets.encode(WireGen.tree(gen)))))),
        c -> {
          WireChecks.assertReadersAgree(Packets.encode(c.tree()));
          WireChecks.assertReadersAgree(c.junk().toByteArray());
        });
  }

  /** The direct writer emits what msgpack-java's packer emits for the same values. */
  @Test
  void directWriter_agreesWithMsgpackJava() {
    forAll(300, gen -> gen.oneOf(
        () -> WireGen.leaf(gen),
        () -> gen.chars("abcdefghijklmnopqrstuvwxyz", 25, 70000, HEADER_EDGES),
        () -> Bytes.of(gen.bytes(200, 70000, HEADER_EDGES))), value -> {
          MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
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
        });
  }

  @Test
  void strAndBin_stayDistinct() {
    forAll(200, gen -> gen.text(24), text -> {
      List<Object> both = List.of(text, Bytes.utf8(text));
      List<?> decoded = (List<?>) Packets.decode(Packets.encode(both));
      assertThat(decoded.get(0)).isInstanceOf(String.class).isEqualTo(text);
      assertThat(decoded.get(1)).isInstanceOf(Bytes.class).isEqualTo(Bytes.utf8(text));
    });
  }

  @Test
  void messages_roundTripThroughEveryCompressionAndNone() {
    forAll(150, WireGen::message, m -> {
      List<Compression> methods = new ArrayList<>(List.of(Compression.values()));
      methods.add(null);
      for (Compression c : methods) {
        byte[] frame = CODEC.encodeFrame(m, c);
        InternalMessage back = CODEC.decodeFrame(frame, c == null ? List.of() : List.of(c));
        assertThat(back).as("%s", c).isEqualTo(m);
        assertThat(back.payload()).isEqualTo(m.payload());
        assertThat(back.sender()).isEqualTo(m.sender());
        assertThat(back.time()).isEqualTo(m.time());
        assertThat(back.type()).isEqualTo(m.type());
        assertThat(CODEC.decodeFrame(frame, ALL)).isEqualTo(m);
      }
    });
  }

  /** Random bodies, corrupted message bodies and non-message values, each behind a valid checksum. */
  @Test
  void bodiesWithValidChecksum_failOnlyWithWireFormatExceptions() {
    forAll(1000, gen -> gen.oneOf(
        () -> gen.bytes(0, 255),
        () -> gen.mutate(WireGen.message(gen).body().toByteArray()),
        () -> Packets.encode(WireGen.tree(gen))), body -> {
          Throwable t = catchThrowable(() -> CODEC.decodePayload(FrameCodecTest.payloadOf(body), ALL));
          assertThat(t == null || t instanceof WireFormatException).as("%s", t).isTrue();
        });
  }

  @Test
  void randomPayloads_failOnlyWithWireFormatExceptions() {
    forAll(300, gen -> new Compressed(gen.pick(Compression.values()), Bytes.of(gen.bytes(0, 255))), c -> {
      byte[] payload = c.data().toByteArray();
      Throwable t = catchThrowable(() -> Compressors.decompress(c.method(), payload, 1 << 16));
      assertThat(t == null || t instanceof WireFormatException).as("%s", t).isTrue();
      assertThat(catchThrowable(() -> CODEC.decodePayload(payload, ALL))).isInstanceOf(WireFormatException.class);
    });
  }

  /** Valid streams of every method, corrupted: decoding fails only with a WireFormatException. */
  @Test
  void corruptedCompressedStreams_failOnlyWithWireFormatExceptions() {
    forAll(300, gen -> {
      Compression method = gen.pick(Compression.values());
      return new Compressed(method, Bytes.of(gen.mutate(Compressors.compress(method, gen.bytes(0, 2000)))));
    }, c -> {
      byte[] stream = c.data().toByteArray();
      Throwable t = catchThrowable(() -> Compressors.decompress(c.method(), stream, 1 << 16));
      assertThat(t == null || t instanceof WireFormatException).as("%s", t).isTrue();
      Throwable frame = catchThrowable(() -> CODEC.decodePayload(stream, ALL));
      assertThat(frame == null || frame instanceof WireFormatException).as("%s", frame).isTrue();
    });
  }

  @Test
  void base58_roundTrips() {
    forAll(300, gen -> gen.bytes(0, 255), bytes -> {
      BigInteger n = new BigInteger(1, bytes);
      String s = Base58.encodeUnsigned(bytes);
      assertThat(Base58.isBase58(s)).isTrue();
      assertThat(Base58.decode(s)).isEqualTo(n);
    });
  }
}
