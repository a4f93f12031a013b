package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.syncmesh.wire.ExtensionOffer;

/**
 * {@link PeerExchangeRule} for every pair of peer kinds, against a table written out by hand from
 * docs/protocol-0.7.md §2.3 and §7.2 (rows: the peer handed the entry, which dials; columns: the listed peer).
 */
final class PeerExchangeRuleTest {

  /** A kind of peer as the node sees it: its dialect and the type of protocol id it sent. */
  private record Kind(String name, Dialect dialect, boolean protocolIdIsBin) {}

  private static final Kind JS2P = new Kind("js2p", Dialect.JS2P, false);
  private static final Kind PY870 = new Kind("py2p 0.7.870", Dialect.PY2P_0_7_870, false);
  private static final Kind PY878 = new Kind("py2p 0.7.878", Dialect.PY2P_0_7_878, true);
  private static final Kind SYNCMESH = new Kind("syncmesh", Dialect.SYNCMESH, false);
  private static final Kind SYNCMESH_BIN = new Kind("syncmesh that sent bin", Dialect.SYNCMESH, true);
  /** A text-id peer with a bin protocol id: js2p never sends one, so it is a syncmesh node. */
  private static final Kind TEXT_ID_BIN_PROTOCOL = new Kind("text ids, bin protocol id", Dialect.JS2P, true);

  private static final List<Kind> KINDS = List.of(JS2P, PY870, PY878, SYNCMESH, SYNCMESH_BIN, TEXT_ID_BIN_PROTOCOL);

  /** The table of the four dialects, rows and columns in the order js2p, 870, 878, syncmesh. */
  private static final boolean[][] TABLE = {
      //            js2p   870    878    syncmesh
      /* js2p */   {true,  true,  false, true},
      /* 870  */   {true,  true,  false, true},
      /* 878  */   {false, false, true,  true},
      /* sync */   {true,  true,  true,  true},
  };

  private static final List<Kind> TABLE_ORDER = List.of(JS2P, PY870, PY878, SYNCMESH);

  private static boolean expected(Kind dialler, Kind listed) {
    Kind d = dialler == SYNCMESH_BIN || dialler == TEXT_ID_BIN_PROTOCOL ? SYNCMESH : dialler;
    Kind l = listed == SYNCMESH_BIN || listed == TEXT_ID_BIN_PROTOCOL ? SYNCMESH : listed;
    return TABLE[TABLE_ORDER.indexOf(d)][TABLE_ORDER.indexOf(l)];
  }

  @Test
  void everyPairOfKinds() {
    for (Kind dialler : KINDS) {
      for (Kind listed : KINDS) {
        assertThat(PeerExchangeRule.canDial(dialler.dialect(), dialler.protocolIdIsBin(), listed.dialect(),
            listed.protocolIdIsBin()))
            .as("%s handed the address of %s", dialler.name(), listed.name())
            .isEqualTo(expected(dialler, listed));
      }
    }
  }

  @Test
  void aRequesterWithNoLinkIsJudgedByItsSenderIdType() {
    for (Kind listed : KINDS) {
      // str: js2p or syncmesh, judged as js2p; bin: py2p of either build, both must manage.
      assertThat(PeerExchangeRule.unlinkedCanDial(false, listed.dialect(), listed.protocolIdIsBin()))
          .as("str-id requester, route to %s", listed.name())
          .isEqualTo(expected(JS2P, listed));
      assertThat(PeerExchangeRule.unlinkedCanDial(true, listed.dialect(), listed.protocolIdIsBin()))
          .as("bin-id requester, route to %s", listed.name())
          .isEqualTo(expected(PY870, listed) && expected(PY878, listed));
    }
  }

  @Test
  void theDialectsHandshakesSortPeersIntoTheKindsAbove() {
    Optional<ExtensionOffer> none = Optional.empty();
    Optional<ExtensionOffer> marker = Optional.of(ExtensionOffer.THIS_BUILD);
    assertThat(HandshakeHandler.dialect(false, false, none)).isEqualTo(JS2P.dialect());
    assertThat(HandshakeHandler.dialect(true, false, none)).isEqualTo(PY870.dialect());
    assertThat(HandshakeHandler.dialect(true, true, none)).isEqualTo(PY878.dialect());
    assertThat(HandshakeHandler.dialect(false, false, marker)).isEqualTo(SYNCMESH.dialect());
    assertThat(HandshakeHandler.dialect(false, true, marker)).isEqualTo(SYNCMESH_BIN.dialect());
    assertThat(HandshakeHandler.dialect(false, true, none)).isEqualTo(TEXT_ID_BIN_PROTOCOL.dialect());
    // The marker is the one promise: with it even bin ids are ours (no py2p build can send one).
    assertThat(HandshakeHandler.dialect(true, true, marker)).isEqualTo(Dialect.SYNCMESH);
  }
}
