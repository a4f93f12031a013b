package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.TreeMessage;

/** Scripted syncmesh peers on tree links, and what the tree tests say and read through them. */
final class TreePeers {
  /** What a build of extension version 2 offers: trees without orphan notices. */
  static final ExtensionOffer VERSION_2 = new ExtensionOffer(1, ExtensionOffer.BROADCAST_TREES);

  private TreePeers() {}

  /** A scripted syncmesh peer offering {@code offer}, handshaken and registered by {@code node}. */
  static ScriptedPeer connect(NetworkTestRule net, MeshSocket node, ExtensionOffer offer) {
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), Style.SYNCMESH));
    peer.writeFrame(peer.handshake(node.protocol().id(), List.of(0x13L, offer.markerId())));
    peer.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("node to register " + peer).atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));
    assertThat(node.routingTable().get(peer.id()).extensionVersion())
        .isEqualTo(ExtensionOffer.THIS_BUILD.highestCommonVersion(offer));
    return peer;
  }

  /** {@code peer} prunes the node for {@code origin}'s tree, and the node has taken it. */
  static void prune(MeshSocket node, ScriptedPeer peer, String origin) {
    long before = node.broadcastStats().prunesReceived();
    peer.send(Flags.MAIN_WHISPER, new TreeMessage.Prune(List.of(origin)).toPayload().toArray());
    await("the node to take the prune").atMost(WAIT).until(() -> node.broadcastStats().prunesReceived() == before + 1);
  }

  /** The next frame on the link that is a broadcast or a tree message. */
  static Frame nextBroadcastOrTree(ScriptedPeer peer) {
    return peer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST || f.subFlag() == Flags.SUB_SM_TREE);
  }

  /**
   * Returns once the node has handled everything {@code sender} sent so far: a broadcast of the
   * sender's own, sent last on its link, has reached {@code witness}.
   */
  static void handledSoFar(ScriptedPeer sender, ScriptedPeer witness) {
    InternalMessage marker = sender.message(Flags.MAIN_BROADCAST, 0L, "marker " + System.nanoTime());
    sender.writeFrame(marker);
    assertThat(nextBroadcastOrTree(witness).message().body()).isEqualTo(marker.body());
  }

  /**
   * {@code first}, a broadcast of another peer, comes relayed by {@code parent}, which becomes its
   * origin's parent here; then {@code y}'s copy makes the node prune y, and y prunes the node (the
   * origin's broadcasts reach y another way): the link to y is lazy both ways for that origin.
   */
  static void relayedByTheParent_andPrunedBothWaysWith(MeshSocket node, InternalMessage first,
      ScriptedPeer parent, ScriptedPeer y) {
    String origin = first.senderId();
    parent.writeFrame(first);
    assertThat(nextBroadcastOrTree(y).message().body()).isEqualTo(first.body());
    y.writeFrame(first);
    assertThat(nextBroadcastOrTree(y).packets()).isEqualTo(tree(new TreeMessage.Prune(List.of(origin))));
    prune(node, y, origin);
  }

  /** Closes {@code parent}'s link, waits until the node has dropped it, and has {@code origin} broadcast anew. */
  static InternalMessage afterTheParentClosed_aBroadcastsAgain(MeshSocket node, ScriptedPeer parent,
      ScriptedPeer origin) {
    parent.close();
    await("the parent's link to close").atMost(WAIT).until(() -> !node.routingTable().containsKey(parent.id()));
    InternalMessage next = origin.message(Flags.MAIN_BROADCAST, 0L, "after the parent");
    origin.writeFrame(next);
    return next;
  }

  /** A broadcast time (seconds) 5 s older than the span a node caches broadcasts for grafts. */
  static long beyondTheCache() {
    return System.currentTimeMillis() / 1000 - TimeUnit.MILLISECONDS.toSeconds(BroadcastTree.CACHE_MILLIS) - 5;
  }

  /** {@code m}'s payload as a scripted peer reads it back (integers as longs). */
  static List<Object> tree(TreeMessage m) {
    List<Object> out = new ArrayList<>();
    for (Object p : m.toPayload()) {
      out.add(p instanceof Integer i ? (Object) (long) i : p);
    }
    return out;
  }
}
