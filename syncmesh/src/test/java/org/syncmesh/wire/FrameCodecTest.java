package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.MessageTooLargeException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.testing.Seeded;

final class FrameCodecTest {
  private static final String CANONICAL_FRAME =
      "0000003777299efb41a50e30ec5c91b5c61c70a70277a606eaf6207ddc4d5bbcafe6de059600a3616263ce6553f1000bc4036b6579a576616c7565";
  private static final List<Compression> ALL = CompressionNegotiation.DEFAULT_PREFERENCE;
  private final FrameCodec codec = new FrameCodec();

  private static InternalMessage canonical() {
    return InternalMessage.create(Flags.MAIN_BROADCAST, "abc", 1_700_000_000L, Flags.SUB_STORE, Bytes.utf8("key"),
        "value");
  }

  @Test
  void encodeFrame_uncompressed_matchesSpec12_1() {
    assertThat(Bytes.of(codec.encodeFrame(canonical(), null)).hex()).isEqualTo(CANONICAL_FRAME);
    assertThat(Bytes.of(codec.encodePayload(canonical())).hex()).isEqualTo(CANONICAL_FRAME.substring(8));
  }

  @Test
  void uncompressedFrame_isAcceptedOnCompressedLink() {
    InternalMessage m = codec.decodeFrame(hex(CANONICAL_FRAME), ALL);
    assertThat(m).isEqualTo(canonical());
    assertThat(m.subFlag()).isEqualTo(Flags.SUB_STORE);
  }

  @Test
  void frameCompressedWithUnlistedMethod_failsChecksum() {
    byte[] frame = codec.encodeFrame(canonical(), Compression.SNAPPY);
    assertThatThrownBy(() -> codec.decodeFrame(frame, List.of(Compression.ZLIB, Compression.GZIP)))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("tried [zlib(0x13): not zlib data, gzip(0x11): not gzip data, raw: expected ");
    // zlib and gzip read each other (py2p's auto-detect), so a zlib frame passes on a gzip-only link
    assertThat(codec.decodeFrame(codec.encodeFrame(canonical(), Compression.ZLIB), List.of(Compression.GZIP)))
        .isEqualTo(canonical());
  }

  @Test
  void decodePayload_fromByteBufferAndOffset() {
    byte[] frame = hex(CANONICAL_FRAME);
    assertThat(codec.decodePayload(ByteBuffer.wrap(frame, 4, frame.length - 4).slice(), List.of()))
        .isEqualTo(canonical());
    assertThat(codec.decodePayload(frame, 4, frame.length - 4, List.of())).isEqualTo(canonical());
    ByteBuffer direct = ByteBuffer.allocateDirect(frame.length - 4).put(frame, 4, frame.length - 4).flip();
    assertThat(codec.decodePayload(direct, List.of())).isEqualTo(canonical());
  }

  @Test
  void directBuffer_decodesAndRefusesExactlyAsBytes() {
    // A socket's frames arrive in direct buffers, read in place (MessageDecoder): every payload,
    // compressed or not, intact or mutated, must give what the byte[] reading gives.
    Seeded.forAll(400, gen -> {
      Compression method = gen.oneIn(3) ? null : gen.pick(Compression.values());
      InternalMessage m = InternalMessage.create(Flags.MAIN_BROADCAST, gen.chars("abcdef", 1, 40),
          gen.longBetween(0, 1L << 40), Flags.SUB_STORE, Bytes.of(gen.bytes(0, 40)), Bytes.of(gen.bytes(0, 300, 0, 1, 200)));
      byte[] frame = codec.encodeFrame(m, method);
      byte[] payload = Arrays.copyOfRange(frame, 4, frame.length);
      return List.of(gen.oneIn(3) ? gen.mutate(payload) : payload, gen.intBetween(0, 9));
    }, input -> {
      byte[] payload = (byte[]) input.get(0);
      int before = (Integer) input.get(1);
      ByteBuffer direct = ByteBuffer.allocateDirect(before + payload.length + 3);
      direct.position(before);
      direct.put(payload).flip().position(before); // P in the middle, as a slice of a larger read
      Object fromBytes = decodeOrError(() -> codec.decodePayload(payload, ALL));
      Object fromDirect = decodeOrError(() -> codec.decodePayload(direct, ALL));
      assertThat(fromDirect).isEqualTo(fromBytes);
      assertThat(direct.position()).isEqualTo(before);
    });
  }

  private static Object decodeOrError(java.util.function.Supplier<InternalMessage> decode) {
    try {
      return decode.get();
    } catch (WireFormatException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  @Test
  void header_shorterThanFour_isLengthMismatch() {
    assertThatThrownBy(() -> codec.decodeFrame(new byte[3], List.of()))
        .isInstanceOf(FrameLengthMismatchException.class)
        .hasMessage("frame of 3 bytes is shorter than the 4-byte length header");
  }

  @Test
  void header_largerOrSmallerThanActual_isLengthMismatch() {
    byte[] frame = hex(CANONICAL_FRAME);
    byte[] longer = Arrays.copyOf(frame, frame.length + 1);
    assertThatThrownBy(() -> codec.decodeFrame(longer, List.of())).isInstanceOf(FrameLengthMismatchException.class)
        .hasMessageStartingWith("frame length header says 55 bytes but 56 bytes follow it");
    byte[] shorter = Arrays.copyOf(frame, frame.length - 1);
    assertThatThrownBy(() -> codec.decodeFrame(shorter, List.of())).isInstanceOf(FrameLengthMismatchException.class)
        .hasMessageStartingWith("frame length header says 55 bytes but 54 bytes follow it");
  }

  @Test
  void header_overMax_isFrameTooLong() {
    FrameCodec small = new FrameCodec(40);
    assertThatThrownBy(() -> small.decodeFrame(hex(CANONICAL_FRAME), List.of()))
        .isInstanceOf(FrameTooLongException.class)
        .hasMessage("frame length 55 bytes exceeds the limit of 40 bytes (maxFrameBytes)");
    assertThatThrownBy(() -> codec.checkFrameLength(0xffffffffL)).isInstanceOf(FrameTooLongException.class);
    assertThatThrownBy(() -> small.encodeFrame(canonical(), null)).isInstanceOf(MessageTooLargeException.class)
        .hasMessage("payload too large: 55 bytes encoded, over the frame cap of 40 bytes")
        .satisfies(e -> assertThat(((MessageTooLargeException) e).limit()).isEqualTo(40));
  }

  @Test
  void everySingleBitFlip_ofUncompressedFrame_isDetected() {
    byte[] frame = codec.encodeFrame(canonical(), null);
    for (int bit = 0; bit < frame.length * 8; bit++) {
      byte[] flipped = frame.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      Throwable t = catchThrowable(() -> codec.decodeFrame(flipped, ALL));
      assertThat(t).as("bit %d", bit).isInstanceOf(WireFormatException.class);
    }
  }

  /**
   * In a compressed frame a flip is either detected or lands in bits the format ignores (deflate's stored-block
   * padding, gzip's MTIME/XFL/OS), in which case the very same message comes out. Never a different message.
   */
  @Test
  void everySingleBitFlip_ofCompressedFrame_isDetectedOrHarmless() {
    InternalMessage original = canonical();
    for (Compression c : Compression.values()) {
      byte[] frame = codec.encodeFrame(original, c);
      for (int bit = 0; bit < frame.length * 8; bit++) {
        byte[] flipped = frame.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        InternalMessage[] decoded = new InternalMessage[1];
        Throwable t = catchThrowable(() -> decoded[0] = codec.decodeFrame(flipped, ALL));
        if (t == null) {
          assertThat(decoded[0]).as("%s bit %d", c, bit).isEqualTo(original);
        } else {
          assertThat(t).as("%s bit %d", c, bit).isInstanceOf(WireFormatException.class);
        }
      }
    }
  }

  @Test
  void truncatedFrames_areRejected() {
    byte[] frame = hex(CANONICAL_FRAME);
    for (int n = 0; n < frame.length; n++) {
      byte[] cut = Arrays.copyOf(frame, n);
      assertThat(catchThrowable(() -> codec.decodeFrame(cut, ALL))).isInstanceOf(WireFormatException.class);
      // Re-headed truncated payloads reach the checksum
      byte[] reheaded = withHeader(Arrays.copyOfRange(frame, 4, Math.max(4, n)));
      assertThat(catchThrowable(() -> codec.decodeFrame(reheaded, ALL))).isInstanceOf(ChecksumMismatchException.class);
    }
  }

  @Test
  void validChecksumButBadMsgpack_isMalformed() {
    assertThatThrownBy(() -> codec.decodePayload(payloadOf(hex("9300a161")), List.of()))
        .isInstanceOf(MalformedMsgpackException.class);
    assertThatThrownBy(() -> codec.decodePayload(payloadOf(hex("9300a16100ff")), List.of()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("trailing");
    assertThatThrownBy(() -> codec.decodePayload(payloadOf(hex("9300a161d40100")), List.of()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("ext");
    byte[] deep = new byte[2000];
    Arrays.fill(deep, (byte) 0x91);
    assertThatThrownBy(() -> codec.decodePayload(payloadOf(deep), List.of()))
        .isInstanceOf(MalformedMsgpackException.class).hasMessageContaining("deeper than 512");
  }

  @Test
  void badShapes_areMessageShapeExceptions() {
    assertShape("9200a161", "message body is an array of 2 elements");
    assertShape("a3616263", "message body is a String \"abc\"");
    assertShape("c0", "message body is nil");
    assertShape("93a17800a161", "main flag (body[0]) is \"x\"");
    assertShape("93cf000000010000000000a161", "main flag (body[0]) is 4294967296");
    assertShape("930001a161", "sender (body[1]) is 1 (expected: str or bin)");
    assertShape("9300a161a131", "time (body[2]) is \"1\"");
    assertShape("9300a161cb7ff8000000000000", "time (body[2]) is NaN");
  }

  /**
   * The raw reading is tried first only when byte 32 could start a message (an array header): every
   * compressed frame decodes whatever its byte 32 happens to be, an uncompressed one on any link, and a
   * checksummed non-message is a shape error on a compressed link as on a plain one.
   */
  @Test
  void everyMethod_decodesWhateverByte32_andNonMessagesStayShapeErrors() {
    Seeded.forAll(300, gen -> {
      Compression method = gen.pick(Compression.values());
      byte[] value = gen.bytes(0, 300, 0, 1, 200);
      return List.of(method, InternalMessage.create(Flags.MAIN_BROADCAST, gen.chars("abcdef", 1, 40), gen.longBetween(0, 1L << 40),
          Flags.SUB_STORE, Bytes.of(gen.bytes(0, 40)), Bytes.of(value)));
    }, input -> {
      Compression method = (Compression) input.get(0);
      InternalMessage m = (InternalMessage) input.get(1);
      assertThat(codec.decodeFrame(codec.encodeFrame(m, method), ALL)).isEqualTo(m);
      assertThat(codec.decodeFrame(codec.encodeFrame(m, null), ALL)).isEqualTo(m);
    });
    for (String body : List.of("a3616263", "c0", "")) {
      assertThatThrownBy(() -> codec.decodePayload(payloadOf(hex(body)), ALL)).as(body)
          .isInstanceOf(body.isEmpty() ? MalformedMsgpackException.class : MessageShapeException.class);
    }
  }

  @Test
  void time_acceptsFloatsAndBigUnsigned_andInvalidUtf8Sender() {
    // js2p after 2038: float64 time, §12.1
    InternalMessage m = codec.decodePayload(payloadOf(hex("9300a3616263cb41e65a0bc0000000")), List.of());
    assertThat(m.time()).isEqualTo(3_000_000_000L);
    assertThat(m.body().hex()).isEqualTo("9300a3616263cb41e65a0bc0000000"); // original bytes, not re-encoded
    assertThat(codec.decodePayload(payloadOf(hex("9300a161ca4f32d05e")), List.of()).time()).isEqualTo(3_000_000_000L);
    assertThat(codec.decodePayload(payloadOf(hex("9300a161cbc00c000000000000")), List.of()).time()).isEqualTo(-3L);
    assertThat(codec.decodePayload(payloadOf(hex("9300a161cfffffffffffffffff")), List.of()).time())
        .isEqualTo(Long.MAX_VALUE);
    InternalMessage bad = codec.decodePayload(payloadOf(hex("9300a2ff6100")), List.of());
    assertThat(bad.sender()).isEqualTo("\uFFFDa");
    InternalMessage bin = codec.decodePayload(payloadOf(hex("9300c403616263ce6553f100")), List.of());
    assertThat(bin.senderIsBin()).isTrue();
    assertThat(bin.senderId()).isEqualTo("abc");
    assertThat(bin.payload()).isEmpty();
    assertThat(bin.subFlag()).isEqualTo(-1);
  }

  @Test
  void randomBytes_throwOnlyWireFormatExceptions() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[random.nextInt(200)];
      random.nextBytes(junk);
      assertThat(catchThrowable(() -> codec.decodeFrame(junk, ALL))).isInstanceOf(WireFormatException.class);
      assertThat(catchThrowable(() -> codec.decodePayload(junk, ALL))).isInstanceOf(WireFormatException.class);
      Throwable t = catchThrowable(() -> codec.decodePayload(payloadOf(junk), ALL));
      assertThat(t).as("body %s", Bytes.of(junk).hex()).isInstanceOf(WireFormatException.class);
    }
  }

  @Test
  void create_validatesBeforeAnyEffect() {
    assertThatThrownBy(() -> InternalMessage.create(0, 42, 1L, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sender: java.lang.Integer (expected: String (msgpack str) or Bytes (msgpack bin))");
    assertThatThrownBy(() -> InternalMessage.create(0, "a", -1L, List.of()))
        .hasMessage("timeSeconds: -1 (expected: >= 0)");
    assertThatThrownBy(() -> InternalMessage.create(0, "a", 1L, 0, Map.of("a", List.of(1, new Object()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("payload[1][\"a\"][1]: cannot encode java.lang.Object");
    assertThatThrownBy(() -> InternalMessage.create(0, "\uD800", 1L)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sender: string has an unpaired surrogate");
  }

  @Test
  void create_normalisesPayloadLikeDecode_andIsImmutable() {
    byte[] key = {1, 2};
    List<Object> payload = new ArrayList<>(List.of(11, key, new Object[] {(short) 1}));
    InternalMessage m = InternalMessage.create(0, Bytes.utf8("id"), 5L, payload);
    key[0] = 9;
    payload.clear();
    assertThat(m.payload()).isEqualTo(List.of(11L, Bytes.of(new byte[] {1, 2}), List.of(1L)));
    assertThat(codec.decodeFrame(codec.encodeFrame(m, null), List.of()).payload()).isEqualTo(m.payload());
    assertThatThrownBy(() -> m.payload().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(m.toString()).startsWith("InternalMessage[type=0 sender=b'6964' time=5 payload=[11, b'0102', [1]] id=");
  }

  private void assertShape(String bodyHex, String messageStart) {
    assertThatThrownBy(() -> codec.decodePayload(payloadOf(hex(bodyHex)), List.of()))
        .isInstanceOf(MessageShapeException.class).hasMessageStartingWith(messageStart);
  }

  /** S ‖ B for any body: a valid checksum, so decoding gets past it to msgpack and shape. */
  static byte[] payloadOf(byte[] body) {
    byte[] p = new byte[32 + body.length];
    System.arraycopy(Digests.sha256(body), 0, p, 0, 32);
    System.arraycopy(body, 0, p, 32, body.length);
    return p;
  }

  private static byte[] withHeader(byte[] p) {
    byte[] f = new byte[4 + p.length];
    ByteBuffer.wrap(f).putInt(p.length).put(p);
    return f;
  }

  private static byte[] hex(String h) {
    return Bytes.fromHex(h).toByteArray();
  }
}
