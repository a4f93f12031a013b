package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.Protocol;
import org.syncmesh.testing.Json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Byte-exact agreement with the frames real js2p 0.7.870 and py2p 0.7 produced (docs/protocol-0.7.md §12, vectors.json). */
final class GoldenVectorsTest {
  private static final Map<String, Object> VECTORS = Vectors.load();
  private final FrameCodec codec = new FrameCodec();

  @TestFactory
  Stream<DynamicTest> everyFrameDecodesToItsDocumentedMessage() {
    return frames().map(f -> DynamicTest.dynamicTest("decode: " + f.get("name"), () -> {
      Compression c = compression(f);
      InternalMessage m = codec.decodeFrame(hex(f, "frame_hex"), c == null ? List.of() : List.of(c));
      assertMessage(m, f);
      // The full default try-order must find the same message, whatever the method.
      assertMessage(codec.decodeFrame(hex(f, "frame_hex"), CompressionNegotiation.DEFAULT_PREFERENCE), f);
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyDocumentedMessageEncodesToItsBodyAndChecksum() {
    return frames().map(f -> DynamicTest.dynamicTest("encode: " + f.get("name"), () -> {
      InternalMessage m = create(f);
      assertThat(m.body().hex()).isEqualTo(f.get("body_hex"));
      assertThat(m.id().hex()).isEqualTo(f.get("sha256_hex"));
      Compression c = compression(f);
      if (c != null) {
        // payload_hex decompresses to S ‖ B
        byte[] p = Bytes.fromHex((String) f.get("payload_hex")).toByteArray();
        assertThat(Bytes.of(Compressors.decompress(c, p, 1 << 20))).isEqualTo(Bytes.of(codec.encodePayload(m)));
      }
      if (isByteIdenticalEncoding(f)) {
        assertThat(Bytes.of(codec.encodeFrame(m, c)).hex()).isEqualTo(f.get("frame_hex"));
      } else {
        // At least our own encoding of it must round-trip.
        assertThat(codec.decodeFrame(codec.encodeFrame(m, c), c == null ? List.of() : List.of(c))).isEqualTo(m);
      }
    }));
  }

  /**
   * Everything but js2p's zlibjs output (its own dynamic-Huffman deflater, which no JDK API reproduces), bz2
   * (commons-compress codes the Huffman tables differently from libbzip2) and xz (our dictionary is fitted to the
   * input, so the block header's dictionary-size field differs). Those decode and round-trip instead.
   */
  private static boolean isByteIdenticalEncoding(Map<String, Object> f) {
    Object c = f.get("compression");
    return !((String) f.get("name")).contains("zlibjs") && !Long.valueOf(0x10).equals(c)
        && !Long.valueOf(0x12).equals(c);
  }

  @Test
  void protocolIdsMatch() {
    for (Object o : Vectors.list(VECTORS.get("protocol_ids"))) {
      Map<String, Object> v = Vectors.map(o);
      Protocol p = new Protocol((String) v.get("subnet"), (String) v.get("transport"));
      assertThat(p.id()).as("%s", v).isEqualTo(v.get("id"));
      if (v.containsKey("sha256_hex")) {
        assertThat(Base58.decode(p.id())).isEqualTo(new BigInteger((String) v.get("sha256_hex"), 16));
      }
    }
  }

  @Test
  void base58OfIntegersMatch() {
    for (Object o : Vectors.list(VECTORS.get("base58_of_integers"))) {
      Map<String, Object> v = Vectors.map(o);
      BigInteger n = BigInteger.valueOf((Long) v.get("int"));
      assertThat(Base58.encode(n)).isEqualTo(v.get("b58"));
      assertThat(Base58.decode((String) v.get("b58"))).isEqualTo(n);
    }
  }

  @Test
  void nodeIdJs2pFormulaMatches() {
    Map<String, Object> v = Vectors.map(VECTORS.get("node_id_js2p_formula"));
    String hashed = (String) v.get("hashed");
    String protocolId = new Protocol("mesh", Protocol.PLAINTEXT).id();
    String prefix = "(127.0.0.1, 4444)" + protocolId;
    assertThat(hashed).startsWith(prefix);
    String id = NodeId.js2pFormula("127.0.0.1", 4444, protocolId, hashed.substring(prefix.length()));
    assertThat(id).isEqualTo(v.get("id"));
  }

  private static void assertMessage(InternalMessage m, Map<String, Object> f) {
    Map<String, Object> msg = Vectors.map(f.get("message"));
    assertThat(m.type()).isEqualTo(((Long) msg.get("msg_type")).intValue());
    assertThat(m.sender()).isEqualTo(Vectors.typed(msg.get("sender")));
    assertThat(m.time()).isEqualTo(Vectors.typed(msg.get("time")));
    assertThat(m.payload()).isEqualTo(payload(msg));
    assertThat(m.body().hex()).isEqualTo(f.get("body_hex"));
    assertThat(m.id().hex()).isEqualTo(f.get("sha256_hex"));
  }

  private static InternalMessage create(Map<String, Object> f) {
    Map<String, Object> msg = Vectors.map(f.get("message"));
    return InternalMessage.create(((Long) msg.get("msg_type")).intValue(), Vectors.typed(msg.get("sender")),
        (Long) Vectors.typed(msg.get("time")), payload(msg));
  }

  private static List<Object> payload(Map<String, Object> msg) {
    List<Object> out = new ArrayList<>();
    for (Object p : Vectors.list(msg.get("payload"))) {
      out.add(Vectors.typed(p));
    }
    return out;
  }

  private static Compression compression(Map<String, Object> f) {
    Object c = f.get("compression");
    return c == Json.NULL || c == null ? null : Compression.fromId((Long) c).orElseThrow();
  }

  private static byte[] hex(Map<String, Object> f, String key) {
    return Bytes.fromHex((String) f.get(key)).toByteArray();
  }

  private static Stream<Map<String, Object>> frames() {
    return Vectors.list(VECTORS.get("frames")).stream().map(Vectors::map);
  }
}
