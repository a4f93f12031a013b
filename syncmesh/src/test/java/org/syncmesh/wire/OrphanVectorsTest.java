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
    ExtensionVectorChecks.compressionListsOf(ExtensionOffer.THIS_BUILD, entries("compression_lists"));
  }

  @Test
  void handshakesEncodeToTheirBodyAndChecksum() {
    entries("handshakes").forEach(ExtensionVectorChecks::handshake);
  }

  @Test
  void orphanNoticesEncodeToTheirPayloadAndBody_andReadBack() {
    for (Map<String, Object> v : entries("orphaned_messages")) {
      assertThat(v.get("kind")).isEqualTo(TreeMessage.ORPHANED_KIND);
      ExtensionVectorChecks.treeMessage(v,
          new TreeMessage.Orphaned(Vectors.list(v.get("origins")).stream().map(String.class::cast).toList()));
    }
  }

  @Test
  void notOrphanNoticesAreRefusedWithAShapeError() {
    ExtensionVectorChecks.notTreeMessages(entries("not_orphaned_messages"));
  }

  @Test
  void anOrphanNoticeIsBoundedAsAPrune() {
    assertThatThrownBy(() -> new TreeMessage.Orphaned(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("origins.size()");
    assertThatThrownBy(() -> new TreeMessage.Orphaned(List.of("x".repeat(256))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255 UTF-8 bytes");
    assertThat(new TreeMessage.Orphaned(List.of("é".repeat(127))).origins()).as("254 UTF-8 bytes").hasSize(1);
  }

  private static List<Map<String, Object>> entries(String key) {
    return Vectors.list(VECTORS.get(key)).stream().map(Vectors::map).toList();
  }
}
