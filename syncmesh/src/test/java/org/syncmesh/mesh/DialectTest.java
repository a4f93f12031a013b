package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.handshaken;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;

/**
 * What the node sends back to js2p- and py2p-style peers, checked byte-level through a
 * {@link ScriptedPeer}: the adaptive protocol-id type (docs/protocol-0.7.md §2.3, §7.2), id types in peers
 * lists and requests (§2.4), the js2p peers-list limit (§7.6), renegotiation (§9.3) and
 * duplicate handshakes (§7.3).
 */
final class DialectTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().build());
  }

  // ------------------------------------------------------------------ protocol-id type

  @Test
  void py2p0878HandshakeIsAnsweredWithABinProtocolId() {
    MeshSocket node = node();
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), Style.PY2P_0_7_878));
    peer.sendHandshake(node.protocol().id());

    Frame answer = peer.read();
    assertThat(answer.flag()).isEqualTo(Flags.MAIN_WHISPER);
    assertThat(answer.packets()).hasSize(5);
    assertThat(answer.packets().get(0)).isEqualTo((long) Flags.SUB_HANDSHAKE);
    assertThat(answer.packets().get(1)).as("node id").isEqualTo(node.id());
    assertThat(answer.packets().get(2)).as("protocol id, mirrored as bin").isEqualTo(Bytes.utf8(node.protocol().id()));
    await().atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));
    assertThat(node.routingTable().get(peer.id()).dialect()).isEqualTo(Dialect.PY2P_0_7_878);
  }

  @Test
  void py2p0870HandshakeWithBinIdsAndStrProtocolIdIsAnsweredWithStr() {
    MeshSocket node = node();
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), Style.PY2P_0_7_870));
    peer.sendHandshake(node.protocol().id());

    Frame answer = peer.read();
    assertThat(answer.subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
    assertThat(answer.packets().get(2)).as("protocol id, mirrored as str").isEqualTo(node.protocol().id());
    await().atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));
    assertThat(node.routingTable().get(peer.id()).dialect()).isEqualTo(Dialect.PY2P_0_7_870);
  }

  @Test
  void js2pHandshakeIsAnsweredWithStr() {
    MeshSocket node = node();
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));
    peer.sendHandshake(node.protocol().id());

    Frame answer = peer.read();
    assertThat(answer.packets().get(2)).isEqualTo(node.protocol().id());
    assertThat(answer.message().sender()).as("sender as str").isEqualTo(node.id());
  }

  @Test
  void asConnectorTheNodeSendsItsHandshakeFirstWithAStrProtocolId() {
    MeshSocket node = node();
    try (ScriptedPeer.Listener listener = ScriptedPeer.listen(Style.JS2P)) {
      CompletableFuture<PeerInfo> connected = node.connect("127.0.0.1", listener.port());
      ScriptedPeer peer = net.track(listener.accept(WAIT));

      Frame hello = peer.read();
      assertThat(hello.subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
      assertThat(hello.packets().get(2)).isEqualTo(node.protocol().id());
      peer.sendHandshake(node.protocol().id());
      assertThat(connected.orTimeout(10, TimeUnit.SECONDS).join().id()).isEqualTo(peer.id());
    }
  }

  @Test
  void py2p0878AcceptorThatRefusesAStrProtocolIdIsDialledAgainWithBin() {
    MeshSocket node = node();
    try (ScriptedPeer.Listener listener = ScriptedPeer.listen(Style.PY2P_0_7_878)) {
      CompletableFuture<PeerInfo> connected = node.connect("127.0.0.1", listener.port());

      // py2p 0.7.878 sends its handshake on accept (bin protocol id) and drops a str one.
      ScriptedPeer first = net.track(listener.accept(WAIT));
      first.sendHandshake(node.protocol().id());
      assertThat(first.read().packets().get(2)).as("first try: str").isEqualTo(node.protocol().id());
      first.close();

      ScriptedPeer second = net.track(listener.accept(WAIT));
      second.sendHandshake(node.protocol().id());
      Frame hello = second.read();
      assertThat(hello.subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
      assertThat(hello.packets().get(2)).as("second try: bin").isEqualTo(Bytes.utf8(node.protocol().id()));
      PeerInfo peer = connected.orTimeout(10, TimeUnit.SECONDS).join();
      assertThat(peer.id()).isEqualTo(second.id());
      assertThat(peer.dialect()).isEqualTo(Dialect.PY2P_0_7_878);
      assertThat(node.routingTable()).containsOnlyKeys(second.id());
    }
  }

  // ------------------------------------------------------------------ id types

  @Test
  void requestForPeersAfterADropCarriesABinStar() {
    MeshSocket node = node();
    ScriptedPeer stays = handshaken(net, node, Style.PY2P_0_7_878);
    ScriptedPeer leaves = handshaken(net, node, Style.JS2P);

    leaves.close();

    Frame request = stays.readMatching(f -> f.subFlag() == Flags.SUB_REQUEST);
    assertThat(request.flag()).isEqualTo(Flags.MAIN_WHISPER);
    assertThat(request.packets()).containsExactly((long) Flags.SUB_REQUEST, Bytes.utf8("*"));
  }

  @Test
  void peersListEchoesEachIdInTheTypeItArrivedWith() {
    MeshSocket node = node();
    // py2p 0.7.870: bin ids, and a str protocol id like the asker's (PeerExchangeTest: who gets whom).
    ScriptedPeer binPeer = handshaken(net, node, Style.PY2P_0_7_870);
    ScriptedPeer strPeer = handshaken(net, node, Style.JS2P);
    ScriptedPeer asker = net.track(ScriptedPeer.connect(node.port(), Style.PY2P_0_7_870));
    asker.sendHandshake(node.protocol().id());

    Map<String, Object> ids = entriesById(asker.readMatching(f -> f.subFlag() == Flags.SUB_PEERS));
    assertThat(ids).containsOnlyKeys(binPeer.id(), strPeer.id());
    assertThat(ids.get(binPeer.id())).isEqualTo(Bytes.utf8(binPeer.id()));
    assertThat(ids.get(strPeer.id())).isEqualTo(strPeer.id());
  }

  @Test
  void js2pPeerReceivesAtMostOnePeersEntryAndOnlyStrIds() {
    MeshSocket node = node();
    for (int i = 0; i < 3; i++) {
      handshaken(net, node, Style.PY2P_0_7_870); // bin ids that js2p could dial (PeerExchangeTest)
    }
    ScriptedPeer js = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));
    js.sendHandshake(node.protocol().id());

    // Two connectable entries crash js2p (docs/protocol-0.7.md §7.6); and it finds bin ids by identity only.
    List<?> entries = (List<?>) js.readMatching(f -> f.subFlag() == Flags.SUB_PEERS).packets().get(1);
    assertThat(entries).hasSize(1);
    assertThat(((List<?>) entries.get(0)).get(1)).isInstanceOf(String.class);
  }

  @Test
  void py2pPeerReceivesEveryPeer() {
    MeshSocket node = node();
    for (int i = 0; i < 3; i++) {
      handshaken(net, node, Style.JS2P);
    }
    // 0.7.870, which can dial js2p; 0.7.878 cannot and gets none of them (PeerExchangeTest).
    ScriptedPeer py = net.track(ScriptedPeer.connect(node.port(), Style.PY2P_0_7_870));
    py.sendHandshake(node.protocol().id());

    assertThat(entriesById(py.readMatching(f -> f.subFlag() == Flags.SUB_PEERS))).hasSize(3);
  }

  // ------------------------------------------------------------------ renegotiation

  @Test
  void renegotiateFromPy2pGetsPy2psAnswerUnderTheNewCompression() {
    MeshSocket node = node();
    ScriptedPeer py = handshaken(net, node, Style.PY2P_0_7_878);

    py.send(Flags.MAIN_RENEGOTIATE, (long) Flags.SUB_COMPRESSION, List.of(0x11L));

    Frame answer = py.readMatching(f -> f.flag() == Flags.MAIN_RENEGOTIATE);
    assertThat(answer.packets()).containsExactly((long) Flags.SUB_COMPRESSION, List.of(0x11L));
    // py2p sends its answer with the newly agreed method already (§9.3): gzip, magic 1f 8b.
    assertThat(answer.payload()).startsWith(0x1f, 0x8b);
  }

  @Test
  void renegotiateWithAnUnchangedListIsNotAnswered() {
    MeshSocket node = node();
    ScriptedPeer py = handshaken(net, node, Style.PY2P_0_7_878);

    py.send(Flags.MAIN_RENEGOTIATE, (long) Flags.SUB_COMPRESSION, List.of(0x13L, 0x11L, 0x10L, 0x12L));
    node.send("marker");

    assertThat(py.read().packets()).containsExactly((long) Flags.SUB_BROADCAST, "marker");
  }

  @Test
  void nodeNeverSendsRenegotiateOrResendToJs2p() {
    MeshSocket node = node();
    ScriptedPeer js = handshaken(net, node, Style.JS2P);

    js.send(Flags.MAIN_RENEGOTIATE, (long) Flags.SUB_COMPRESSION, List.of());
    js.send(Flags.MAIN_RENEGOTIATE, (long) Flags.SUB_RESEND);
    node.send("marker");

    // The next frame is the marker, and it is uncompressed now that the list is empty.
    Frame next = js.decodeWith(List.of()).read();
    assertThat(next.flag()).isEqualTo(Flags.MAIN_BROADCAST);
    assertThat(next.packets()).containsExactly((long) Flags.SUB_BROADCAST, "marker");
    assertThat(node.routingTable()).containsKey(js.id());
  }

  // ------------------------------------------------------------------ duplicate handshakes

  @Test
  void duplicateHandshakeOnOneLinkIsIdempotent() {
    MeshSocket node = node();
    AtomicInteger registered = new AtomicInteger();
    node.addListener(new MeshListener() {
      @Override
      public void onPeerConnected(MeshSocket socket, PeerInfo peer) {
        registered.incrementAndGet();
      }
    });
    ScriptedPeer js = handshaken(net, node, Style.JS2P);

    js.sendHandshake(node.protocol().id()); // js2p's second handshake (§7.3)
    node.send("marker");

    assertThat(js.read().packets()).as("the frame after a duplicate handshake")
        .containsExactly((long) Flags.SUB_BROADCAST, "marker");
    assertThat(node.routingTable()).containsOnlyKeys(js.id());
    await("the first registration event").atMost(WAIT).until(() -> registered.get() == 1);
    assertThat(registered).hasValue(1);
  }

  private static Map<String, Object> entriesById(Frame peers) {
    Map<String, Object> ids = new HashMap<>();
    for (Object entry : (List<?>) peers.packets().get(1)) {
      Object id = ((List<?>) entry).get(1);
      ids.put(id instanceof Bytes b ? b.utf8() : (String) id, id);
    }
    return ids;
  }
}
