package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/**
 * Byte-exact agreement with the golden vectors of the extension's version 3
 * ({@code src/test/resources/protocol/extension-v3-vectors.json}, docs/extension-v3.md): this
 * build's marker and handshake, and the orphan notice, both ways.
 */
final class OrphanVectorsTest {
  private static final Map<String, Object> VECTORS = Vectors.load("/protocol/extension-v3-vectors.json");

  @Test
  void thisBuildsMarkerIs1To3() {
    Map<String, Object> v = entries("markers").get(0);
    assertThat(ExtensionOffer.THIS_BUILD.markerId()).isEqualTo(v.get("id"));
    assertThat(Bytes.of(Packets.encode(ExtensionOffer.THIS_BUILD.markerId())).hex()).isEqualTo(v.get("msgpack_hex"));
  }

  @Test
  void ourDefaultHandshakeListIsTheFirstVector_andEveryListYieldsOurOffer() {
    List<Long> ours = ExtensionOffer.THIS_BUILD.appendTo(CompressionNegotiation.ids(CompressionNegotiation.DEFAULT_PREFERENCE));
    assertThat(Bytes.of(Packets.encode(ours)).hex()).isEqualTo(entries("compression_lists").get(0).get("msgpack_hex"));
    for (Map<String, Object> v : entries("compression_lists")) {
      assertThat(Bytes.of(Packets.encode(Vectors.list(v.get("ids")))).hex()).as("%s", v.get("name"))
          .isEqualTo(v.get("msgpack_hex"));
      List<?> decoded = (List<?>) Packets.decode(Bytes.fromHex((String) v.get("msgpack_hex")).toByteArray());
      assertThat(ExtensionOffer.find(decoded)).as("%s", v.get("name")).contains(ExtensionOffer.THIS_BUILD);
    }
  }

  @Test
  void handshakesEncodeToTheirBodyAndChecksum() {
    for (Map<String, Object> v : entries("handshakes")) {
      InternalMessage m = InternalMessage.create(Flags.MAIN_WHISPER, v.get("sender"), (Long) v.get("time"),
          List.of(Flags.SUB_HANDSHAKE, v.get("sender"), v.get("protocol_id"), List.of(v.get("host"), v.get("port")),
              v.get("compression")));
      assertThat(m.body().hex()).as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
      assertThat(m.id().hex()).as("%s", v.get("name")).isEqualTo(v.get("sha256_hex"));
    }
  }

  @Test
  void orphanNoticesEncodeToTheirPayloadAndBody_andReadBack() {
    for (Map<String, Object> v : entries("orphaned_messages")) {
      assertThat(v.get("kind")).isEqualTo(TreeMessage.ORPHANED_KIND);
      TreeMessage message = new TreeMessage.Orphaned(Vectors.list(v.get("origins")).stream().map(String.class::cast).toList());
      assertThat(Bytes.of(Packets.encode(message.toPayload())).hex()).as("%s", v.get("name"))
          .isEqualTo(v.get("payload_hex"));
      InternalMessage m = InternalMessage.create(Flags.MAIN_WHISPER, "alice", 1_700_000_000L, message.toPayload());
      assertThat(m.body().hex()).as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
      InternalMessage back = InternalMessage.decodeBody(Bytes.fromHex((String) v.get("body_hex")));
      assertThat(back.subFlag()).isEqualTo(Flags.SUB_SM_TREE);
      assertThat(TreeMessage.read(back.payload())).as("%s", v.get("name")).isEqualTo(message);
    }
  }

  @Test
  void notOrphanNoticesAreRefusedWithAShapeError() {
    for (Map<String, Object> v : entries("not_orphaned_messages")) {
      List<?> payload = (List<?>) Packets.decode(Bytes.fromHex((String) v.get("payload_hex")).toByteArray());
      assertThatThrownBy(() -> TreeMessage.read(payload)).as("%s", v.get("name"))
          .isInstanceOf(MessageShapeException.class).hasMessageContaining("tree message");
    }
  }

  @Test
  void anOrphanNoticeIsBoundedAsAPrune() {
    assertThatThrownBy(() -> new TreeMessage.Orphaned(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("origins.size()");
    assertThatThrownBy(() -> new TreeMessage.Orphaned(List.of("x".repeat(256)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("255 UTF-8 bytes");
    assertThat(new TreeMessage.Orphaned(List.of("é".repeat(127))).origins()).as("254 UTF-8 bytes").hasSize(1);
  }

  private static List<Map<String, Object>> entries(String key) {
    return Vectors.list(VECTORS.get(key)).stream().map(Vectors::map).toList();
  }
}
