package org.syncmesh.wire;

import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact agreement with the syncmesh extension's golden vectors
 * ({@code src/test/resources/protocol/extension-v1-vectors.json}, docs/extension-v1.md): the
 * marker, the compression lists and a whole handshake that carry it, and versions.
 */
final class ExtensionVectorsTest {
  private static final Map<String, Object> VECTORS = Vectors.load("/protocol/extension-v1-vectors.json");

  @Test
  void markersEncodeAndParseAsDocumented() {
    for (Map<String, Object> v : entries("markers")) {
      ExtensionOffer offer = new ExtensionOffer(integer(v, "min"), integer(v, "max"));
      assertThat(offer.markerId()).as("%s", v.get("name")).isEqualTo(v.get("id"));
      assertThat(Bytes.of(Packets.encode(offer.markerId())).hex()).as("%s", v.get("name")).isEqualTo(v.get("msgpack_hex"));
      Object decoded = Packets.decode(Bytes.fromHex((String) v.get("msgpack_hex")).toByteArray());
      assertThat(ExtensionOffer.fromId(decoded)).as("%s", v.get("name")).contains(offer);
      assertThat((Long) v.get("id")).as("a positive int32, which js2p round-trips").isBetween(1L, (long) Integer.MAX_VALUE);
    }
  }

  @Test
  void nonMarkersAreNoOffer() {
    for (Map<String, Object> v : entries("not_markers")) {
      assertThat(ExtensionOffer.fromId(v.get("id"))).as("%s", v.get("name")).isEmpty();
    }
  }

  @Test
  void compressionListsEncodeToTheirBytes_andYieldTheirOfferButNoExtraMethod() {
    for (Map<String, Object> v : entries("compression_lists")) {
      List<Object> ids = Vectors.list(v.get("ids"));
      assertThat(Bytes.of(Packets.encode(ids)).hex()).as("%s", v.get("name")).isEqualTo(v.get("msgpack_hex"));
      List<?> decoded = (List<?>) Packets.decode(Bytes.fromHex((String) v.get("msgpack_hex")).toByteArray());
      assertThat(ExtensionOffer.find(decoded)).contains(ExtensionOffer.V1_ONLY);
      assertThat(CompressionNegotiation.decodeOrder(decoded, List.of(Compression.values())))
          .as("methods in %s", v.get("name")).hasSize(ids.size() - 1);
    }
  }

  /** A version-1 node's default list, and ours with broadcast trees off (extension-v2-vectors.json has ours). */
  @Test
  void aVersion1DefaultHandshakeListIsTheFirstVector() {
    List<Long> ours = ExtensionOffer.V1_ONLY.appendTo(CompressionNegotiation.ids(CompressionNegotiation.DEFAULT_PREFERENCE));
    assertThat(Bytes.of(Packets.encode(ours)).hex()).isEqualTo(entries("compression_lists").get(0).get("msgpack_hex"));
  }

  @Test
  void handshakesEncodeToTheirBodyAndChecksum() {
    for (Map<String, Object> v : entries("handshakes")) {
      InternalMessage m = ExtensionVectorChecks.handshake(v);
      FrameCodec codec = new FrameCodec();
      InternalMessage back = codec.decodeFrame(codec.encodeFrame(m, null), List.of());
      assertThat(back.payload()).hasSize(5); // still the five-packet handshake js2p and py2p require (fact 1)
      assertThat(ExtensionOffer.find((List<?>) back.payload().get(4))).contains(ExtensionOffer.V1_ONLY);
    }
  }

  @Test
  void versionsEncodeAndDecodeAsDocumented() {
    for (Map<String, Object> v : entries("versions")) {
      long hlc = Hlc.of((Long) v.get("millis"), integer(v, "counter"));
      assertThat(hlc).as("%s", v.get("name")).isEqualTo(v.get("hlc"));
      Version version = new Version(hlc, (String) v.get("writer"));
      assertThat(Bytes.of(Packets.encode(version.toPacket())).hex()).as("%s", v.get("name"))
          .isEqualTo(v.get("msgpack_hex"));
      assertThat(Versions.fromPacket(Packets.decode(Bytes.fromHex((String) v.get("msgpack_hex")).toByteArray())))
          .isEqualTo(version);
    }
  }

  private static List<Map<String, Object>> entries(String key) {
    return Vectors.list(VECTORS.get(key)).stream().map(Vectors::map).toList();
  }

  private static int integer(Map<String, Object> v, String key) {
    return (int) (long) (Long) v.get(key);
  }
}
