package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PeerInfo}'s value semantics (it keys the node's routing table) and its short form in logs. */
final class PeerInfoTest {
  private static final String ID = "Q".repeat(66);

  @Test
  void equalByEveryField_andUnequalWhenAnyDiffers() {
    PeerInfo p = new PeerInfo(ID, "127.0.0.1", 4444, true, Dialect.SYNCMESH, 2);
    PeerInfo same = new PeerInfo(new String(ID.toCharArray()), new String("127.0.0.1".toCharArray()), 4444, true,
        Dialect.SYNCMESH, 2);
    assertThat(same).isEqualTo(p).hasSameHashCodeAs(p);
    List<PeerInfo> others = List.of(
        new PeerInfo("R".repeat(66), "127.0.0.1", 4444, true, Dialect.SYNCMESH, 2),
        new PeerInfo(ID, "127.0.0.2", 4444, true, Dialect.SYNCMESH, 2),
        new PeerInfo(ID, "127.0.0.1", 4445, true, Dialect.SYNCMESH, 2),
        new PeerInfo(ID, "127.0.0.1", 4444, false, Dialect.SYNCMESH, 2),
        new PeerInfo(ID, "127.0.0.1", 4444, true, Dialect.JS2P, 2),
        new PeerInfo(ID, "127.0.0.1", 4444, true, Dialect.SYNCMESH, 1));
    assertThat(others).allSatisfy(o -> assertThat(o).isNotEqualTo(p));
    assertThat(p).isNotEqualTo(null).isNotEqualTo(ID);
  }

  @Test
  void shortIdKeepsTheFirstTenCharacters() {
    assertThat(new PeerInfo(ID + "x", "h", 1, false, Dialect.PY2P_0_7_878, 0).shortId()).isEqualTo("Q".repeat(10));
    assertThat(PeerInfo.shortId("abc")).isEqualTo("abc");
  }
}
