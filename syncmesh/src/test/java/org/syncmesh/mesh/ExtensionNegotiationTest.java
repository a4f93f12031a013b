package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Compression;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.CompressionNegotiation;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;

/**
 * The syncmesh extension's negotiation in the handshake (docs/extension-v1.md): the marker our
 * node sends, the version each link settles on, and what counts as a marker, between real nodes
 * and against {@link ScriptedPeer}s that announce other ranges or malformed markers.
 */
final class ExtensionNegotiationTest {

  private static final long MAGIC = ExtensionOffer.MAGIC;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0).build());
  }

  @Test
  void twoNodesNegotiateVersion3_andBothRoutingTablesShowIt() {
    MeshSocket a = node();
    MeshSocket b = node();
    PeerInfo aSeenByB = b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(aSeenByB.dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(aSeenByB.extensionVersion()).isEqualTo(3);
    assertThat(b.routingTable().get(a.id()).extensionVersion()).isEqualTo(3);
    await("a to register b").atMost(WAIT).until(() -> a.routingTable().containsKey(b.id()));
    assertThat(a.routingTable().get(b.id()).dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(a.routingTable().get(b.id()).extensionVersion()).isEqualTo(3);
  }

  @Test
  void aNodeWithTreesOff_offers1Only_andAVersion3NodeTalksVersion1ToIt() {
    MeshSocket v3 = node();
    MeshSocket v1 = net.track(new MeshSocket.Builder().maxOutgoing(0).broadcastTrees(false).build());
    PeerInfo v3SeenByV1 = v1.connect("127.0.0.1", v3.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await("v3 to register v1").atMost(WAIT).until(() -> v3.routingTable().containsKey(v1.id()));

    assertThat(v3SeenByV1.extensionVersion()).as("min of the maxes, 1..1 and 1..3").isEqualTo(1);
    assertThat(v3.routingTable().get(v1.id()).extensionVersion()).isEqualTo(1);
    assertThat(v3.routingTable().get(v1.id()).dialect()).isEqualTo(Dialect.SYNCMESH);
    v3.send("flooded");
    v1.send("back");
    assertThat(await().atMost(WAIT).until(v1::recv, java.util.Optional::isPresent).orElseThrow().packets())
        .containsExactly("flooded");
    assertThat(await().atMost(WAIT).until(v3::recv, java.util.Optional::isPresent).orElseThrow().packets())
        .containsExactly("back");
    assertThat(v3.broadcastStats().floodSends()).as("a version-1 link floods").isEqualTo(1);
    assertThat(v3.broadcastStats().eagerPushes()).isZero();
  }

  @Test
  void aNodeCappedAtVersion2_offers1To2_andTalksVersion2ToThisBuild() {
    MeshSocket capped = net.track(new MeshSocket.Builder().maxOutgoing(0).maxExtensionVersion(2).build());
    MeshSocket full = node();
    PeerInfo seen = capped.connect("127.0.0.1", full.port()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(seen.extensionVersion()).as("trees, without orphan notices").isEqualTo(2);
    ScriptedPeer js = net.track(ScriptedPeer.connect(capped.port(), Style.JS2P));
    js.sendHandshake(capped.protocol().id());
    assertThat(js.readHandshake().packets().get(4)).asList().last().isEqualTo(MAGIC | 0x0102);
    assertThatThrownBy(() -> new MeshSocket.Builder().maxExtensionVersion(4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxExtensionVersion");
    assertThatThrownBy(() -> new MeshSocket.Builder().maxExtensionVersion(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aScriptedVersion1Peer_seesOurMarker1To3_andGetsVersion1() {
    MeshSocket node = node();
    ScriptedPeer peer = Peers.handshaken(net, node, Style.SYNCMESH); // offers 1..1, as every version-1 node did
    assertThat(node.routingTable().get(peer.id()).extensionVersion()).isEqualTo(1);
  }

  @Test
  void nodesWithCompressionOffStillRecogniseEachOther() {
    MeshSocket a = net.track(new MeshSocket.Builder().maxOutgoing(0).compression(List.of()).build());
    MeshSocket b = net.track(new MeshSocket.Builder().maxOutgoing(0).compression(List.of()).build());
    PeerInfo peer = b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(peer.dialect()).as("no bz2 or lzma to guess from, but the marker").isEqualTo(Dialect.SYNCMESH);
    assertThat(peer.extensionVersion()).isEqualTo(3);
  }

  @Test
  void ourHandshakeStaysFivePackets_withTheMarkerLastInTheCompressionList() {
    MeshSocket node = node();
    ScriptedPeer js = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));
    js.sendHandshake(node.protocol().id());

    Frame handshake = js.readHandshake();
    assertThat(handshake.packets()).hasSize(5);
    assertThat(handshake.packets().get(4)).isEqualTo(List.of(0x20L, 0x13L, 0x11L, 0x10L, 0x12L, MAGIC | 0x0103));
    assertThat(handshake.packets().get(4))
        .isEqualTo(ExtensionOffer.THIS_BUILD.appendTo(CompressionNegotiation.ids(CompressionNegotiation.DEFAULT_PREFERENCE)));
  }

  @Test
  void aJs2pPeerGetsPlain07_andFramesCompressedWithAMethodItOffered() {
    MeshSocket node = node();
    ScriptedPeer js = Peers.handshaken(net, node, Style.JS2P);

    PeerInfo info = node.routingTable().get(js.id());
    assertThat(info.dialect()).isEqualTo(Dialect.JS2P);
    assertThat(info.extensionVersion()).isZero();
    node.send("x".repeat(4096)); // big enough to be compressed
    Frame frame = js.decodeWith(List.of(Compression.ZLIB)).readMatching(f -> f.subFlag() == Flags.SUB_BROADCAST);
    assertThat(frame.packets()).containsExactly((long) Flags.SUB_BROADCAST, "x".repeat(4096));
    assertThat(frame.payload()[0]).as("zlib, js2p's first method we share").isEqualTo((byte) 0x78);
  }

  @Test
  void aTextIdPeerOfferingBz2AndLzmaWithoutTheMarker_isTakenForJs2p() {
    MeshSocket node = node();
    // What a syncmesh node before the marker sent; none was released, so it gets js2p's caution.
    PeerInfo info = handshakeWith(node, Style.JS2P, List.of(0x20L, 0x13L, 0x11L, 0x10L, 0x12L));

    assertThat(info.dialect()).isEqualTo(Dialect.JS2P);
    assertThat(info.extensionVersion()).isZero();
  }

  @Test
  void aPy2pPeerStaysPy2p() {
    MeshSocket node = node();
    ScriptedPeer py = Peers.handshaken(net, node, Style.PY2P_0_7_878);

    assertThat(node.routingTable().get(py.id()).dialect()).isEqualTo(Dialect.PY2P_0_7_878);
    assertThat(node.routingTable().get(py.id()).extensionVersion()).isZero();
  }

  @Test
  void aLaterNodeThatStillSpeaks1To3_gets3() {
    PeerInfo info = handshakeWith(node(), Style.SYNCMESH, List.of(0x13L, MAGIC | 0x0104));

    assertThat(info.dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(info.extensionVersion()).isEqualTo(3);
  }

  @Test
  void aVersion2Node_gets2() {
    PeerInfo info = handshakeWith(node(), Style.SYNCMESH, List.of(0x13L, MAGIC | 0x0102));

    assertThat(info.dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(info.extensionVersion()).as("trees without orphan notices").isEqualTo(2);
  }

  @Test
  void aNodeThatSpeaksOnly2Or3_getsIt_andOneThatSpeaksOnly4_isPlain07() {
    assertThat(handshakeWith(node(), Style.SYNCMESH, List.of(MAGIC | 0x0202)).extensionVersion()).isEqualTo(2);
    assertThat(handshakeWith(node(), Style.SYNCMESH, List.of(MAGIC | 0x0303)).extensionVersion()).isEqualTo(3);
    assertThat(handshakeWith(node(), Style.SYNCMESH, List.of(MAGIC | 0x0404)).extensionVersion()).isZero();
  }

  @Test
  void aLaterNodeThatDropped1_gets3() {
    PeerInfo info = handshakeWith(node(), Style.SYNCMESH, List.of(0x13L, MAGIC | 0x0205));

    assertThat(info.dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(info.extensionVersion()).isEqualTo(3);
  }

  @Test
  void aLaterNodeThatDropped1To3_isStillSyncmeshButTheLinkIsPlain07() {
    PeerInfo info = handshakeWith(node(), Style.SYNCMESH, List.of(0x13L, MAGIC | 0x0405));

    assertThat(info.dialect()).as("it announced itself").isEqualTo(Dialect.SYNCMESH);
    assertThat(info.extensionVersion()).as("no common version").isZero();
  }

  @Test
  void malformedOrForeignMarkersAreIgnored_andTheLinkWorks() {
    MeshSocket node = node();
    List<Long> list = List.of(0x13L, MAGIC | 0x0201, MAGIC, 0x534E0101L, MAGIC << 1 | 0x0101);
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));
    peer.writeFrame(peer.handshake(node.protocol().id(), list));
    peer.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await().atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));

    PeerInfo info = node.routingTable().get(peer.id());
    assertThat(info.dialect()).isEqualTo(Dialect.JS2P);
    assertThat(info.extensionVersion()).isZero();
    node.send("still served");
    assertThat(peer.read().packets()).containsExactly((long) Flags.SUB_BROADCAST, "still served");
  }

  @Test
  void theFirstHandshakeFixesTheVersion_aLaterOneWithoutTheMarkerChangesNothing() {
    MeshSocket node = node();
    ScriptedPeer peer = Peers.handshaken(net, node, Style.SYNCMESH);
    assertThat(node.routingTable().get(peer.id()).extensionVersion()).isEqualTo(1);

    peer.writeFrame(peer.handshake(node.protocol().id(), List.of(0x13L)));
    node.send("after the second handshake");

    assertThat(peer.readMatching(f -> f.subFlag() == Flags.SUB_BROADCAST).packets())
        .containsExactly((long) Flags.SUB_BROADCAST, "after the second handshake");
    PeerInfo info = node.routingTable().get(peer.id());
    assertThat(info.dialect()).isEqualTo(Dialect.SYNCMESH);
    assertThat(info.extensionVersion()).isEqualTo(1);
  }

  /** A scripted peer of {@code style} that handshakes with {@code compression}; the node's view of it. */
  private PeerInfo handshakeWith(MeshSocket node, Style style, List<Long> compression) {
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), style));
    peer.writeFrame(peer.handshake(node.protocol().id(), compression));
    peer.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("node to register " + peer).atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));
    return node.routingTable().get(peer.id());
  }
}
