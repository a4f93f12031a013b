package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.syncmesh.Bytes;

/** Checks that the golden vectors of every extension version share (extension-v1..v3-vectors.json). */
final class ExtensionVectorChecks {
  private ExtensionVectorChecks() {}

  /** The handshake vector {@code v} built as a node builds it: its body and its id must be the vector's. */
  static InternalMessage handshake(Map<String, Object> v) {
    InternalMessage m = InternalMessage.create(Flags.MAIN_WHISPER, v.get("sender"), (Long) v.get("time"),
        List.of(Flags.SUB_HANDSHAKE, v.get("sender"), v.get("protocol_id"), List.of(v.get("host"), v.get("port")),
            v.get("compression")));
    assertThat(m.body().hex()).as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
    assertThat(m.id().hex()).as("%s", v.get("name")).isEqualTo(v.get("sha256_hex"));
    return m;
  }

  /**
   * {@code offer}'s default handshake list is the first of {@code lists}, and every list encodes to
   * its bytes and yields {@code offer}.
   */
  static void compressionListsOf(ExtensionOffer offer, List<Map<String, Object>> lists) {
    List<Long> defaults = offer.appendTo(CompressionNegotiation.ids(CompressionNegotiation.DEFAULT_PREFERENCE));
    assertThat(Bytes.of(Packets.encode(defaults)).hex()).isEqualTo(lists.get(0).get("msgpack_hex"));
    for (Map<String, Object> v : lists) {
      assertThat(Bytes.of(Packets.encode(Vectors.list(v.get("ids")))).hex()).as("%s", v.get("name"))
          .isEqualTo(v.get("msgpack_hex"));
      List<?> decoded = (List<?>) Packets.decode(Bytes.fromHex((String) v.get("msgpack_hex")).toByteArray());
      assertThat(ExtensionOffer.find(decoded)).as("%s", v.get("name")).contains(offer);
    }
  }

  /** {@code message}'s payload and whispered body are the vector's, and the body reads back as it. */
  static void treeMessage(Map<String, Object> v, TreeMessage message) {
    assertThat(Bytes.of(Packets.encode(message.toPayload())).hex()).as("%s", v.get("name"))
        .isEqualTo(v.get("payload_hex"));
    InternalMessage m = InternalMessage.create(Flags.MAIN_WHISPER, "alice", 1_700_000_000L, message.toPayload());
    assertThat(m.body().hex()).as("%s", v.get("name")).isEqualTo(v.get("body_hex"));
    InternalMessage back = InternalMessage.decodeBody(Bytes.fromHex((String) v.get("body_hex")));
    assertThat(back.subFlag()).isEqualTo(Flags.SUB_SM_TREE);
    assertThat(TreeMessage.read(back.payload())).as("%s", v.get("name")).isEqualTo(message);
  }

  /** Every payload in {@code entries} is refused by the tree's reader with a shape error. */
  static void notTreeMessages(List<Map<String, Object>> entries) {
    for (Map<String, Object> v : entries) {
      List<?> payload = (List<?>) Packets.decode(Bytes.fromHex((String) v.get("payload_hex")).toByteArray());
      assertThatThrownBy(() -> TreeMessage.read(payload)).as("%s", v.get("name"))
          .isInstanceOf(MessageShapeException.class).hasMessageContaining("tree message");
    }
  }
}
