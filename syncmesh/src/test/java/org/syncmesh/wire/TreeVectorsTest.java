package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;

/**
 * Byte-exact agreement with the golden vectors of the extension's version 2
 * ({@code src/test/resources/protocol/extension-v2-vectors.json}, docs/extension-v2.md): a
 * version-2 build's marker and handshake, which this build still reads as that, and the broadcast
 * tree's messages, both ways.
 */
final class TreeVectorsTest {
  private static final Map<String, Object> VECTORS = Vectors.load("/protocol/extension-v2-vectors.json");
  /** What a build of version 2 offered. */
  private static final ExtensionOffer VERSION_2_BUILD = new ExtensionOffer(1, ExtensionOffer.BROADCAST_TREES);

  @Test
  void aVersion2BuildsMarkerIs1To2() {
    Map<String, Object> v = entries("markers").get(0);
    assertThat(VERSION_2_BUILD.markerId()).isEqualTo(v.get("id"));
    assertThat(Bytes.of(Packets.encode(VERSION_2_BUILD.markerId())).hex()).isEqualTo(v.get("msgpack_hex"));
    assertThat(ExtensionOffer.THIS_BUILD.highestCommonVersion(VERSION_2_BUILD)).as("this build gives it trees")
        .isEqualTo(2);
  }

  @Test
  void aVersion2BuildsDefaultHandshakeListIsTheFirstVector_andEveryListYieldsItsOffer() {
    ExtensionVectorChecks.compressionListsOf(VERSION_2_BUILD, entries("compression_lists"));
  }

  @Test
  void handshakesEncodeToTheirBodyAndChecksum() {
    entries("handshakes").forEach(ExtensionVectorChecks::handshake);
  }

  @Test
  void treeMessagesEncodeToTheirPayloadAndBody_andReadBack() {
    for (Map<String, Object> v : entries("tree_messages")) {
      List<Bytes> ids = new ArrayList<>();
      for (Object hex : Vectors.list(v.getOrDefault("ids_hex", List.of()))) {
        ids.add(Bytes.fromHex((String) hex));
      }
      long kind = (Long) v.get("kind");
      TreeMessage message = kind == TreeMessage.ANNOUNCE_KIND ? new TreeMessage.Announce(ids)
          : kind == TreeMessage.GRAFT_KIND ? new TreeMessage.Graft(ids)
          : new TreeMessage.Prune(Vectors.list(v.get("origins")).stream().map(String.class::cast).toList());
      ExtensionVectorChecks.treeMessage(v, message);
    }
  }

  @Test
  void notTreeMessagesAreRefusedWithAShapeError() {
    ExtensionVectorChecks.notTreeMessages(entries("not_tree_messages"));
  }

  @Test
  void trailingPacketsAreIgnored_forALaterVersion() {
    List<Object> payload = new ArrayList<>(new TreeMessage.Prune(List.of("bob")).toPayload());
    payload.add("later");
    assertThat(TreeMessage.read((List<?>) Packets.decode(Packets.encode(payload))))
        .isEqualTo(new TreeMessage.Prune(List.of("bob")));
  }

  @Test
  void idCountsAreBounded_bothWays() {
    Bytes id = Bytes.of(new byte[TreeMessage.ID_BYTES]);
    List<Bytes> tooMany = Collections.nCopies(TreeMessage.MAX_IDS + 1, id);
    assertThatThrownBy(() -> new TreeMessage.Announce(tooMany)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ids.size()");
    assertThatThrownBy(() -> new TreeMessage.Announce(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TreeMessage.Graft(List.of(Bytes.of(new byte[31]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    List<Object> wire = List.of((long) Flags.SUB_SM_TREE, TreeMessage.GRAFT_KIND, List.copyOf(tooMany));
    assertThatThrownBy(() -> TreeMessage.read(wire)).isInstanceOf(MessageShapeException.class)
        .hasMessageContaining("1025 ids");
    assertThat(new TreeMessage.Graft(Collections.nCopies(TreeMessage.MAX_IDS, id)).ids()).hasSize(TreeMessage.MAX_IDS);
    assertThatThrownBy(() -> new TreeMessage.Prune(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TreeMessage.Prune(List.of("x".repeat(256)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("255 UTF-8 bytes");
    assertThat(new TreeMessage.Prune(List.of("é".repeat(127))).origins()).as("254 UTF-8 bytes").hasSize(1);
    assertThatThrownBy(() -> new TreeMessage.Prune(List.of("é".repeat(128)))).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Map<String, Object>> entries(String key) {
    return Vectors.list(VECTORS.get(key)).stream().map(Vectors::map).toList();
  }
}
