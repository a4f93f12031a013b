package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.TreePeers.nextBroadcastOrTree;
import static org.syncmesh.mesh.TreePeers.relayedByTheParent_andPrunedBothWaysWith;
import static org.syncmesh.mesh.TreePeers.tree;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.TreeMessage;

/**
 * Orphan notices (docs/extension-v3.md §3, rule 9) as peers see them, against scripted peers of
 * version 3 and 2: a node whose parent link closes tells its version-3 links, never a version-2
 * link nor its step-parent; a notice from the parent is relayed below once; one from another link
 * is not, and has the origin's next broadcast announced to that link at once; one on a version-2
 * link is refused; while orphaned the node grafts announcements after the short timeout, until it
 * hears from the origin. "Nothing else arrived"
 * is shown by the next broadcast or tree frame on the link: frames keep their order per link.
 */
final class OrphanNoticeTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0).build());
  }

  /** A scripted syncmesh peer offering what this build offers: its link carries orphan notices. */
  private ScriptedPeer v3Peer(MeshSocket node) {
    return TreePeers.connect(net, node, ExtensionOffer.THIS_BUILD);
  }

  /** {@code from} tells the node its path to {@code origin} broke, and the node has taken it. */
  private static void notice(MeshSocket node, ScriptedPeer from, String origin) {
    long before = node.broadcastStats().orphanNoticesReceived();
    from.send(Flags.MAIN_WHISPER, new TreeMessage.Orphaned(List.of(origin)).toPayload().toArray());
    await("the node to take the notice").atMost(WAIT)
        .until(() -> node.broadcastStats().orphanNoticesReceived() == before + 1);
  }

  /** The missing timeout the node would give an announcement now, read on its protocol thread. */
  private static long missingTimeout(MeshSocket socket) {
    CompletableFuture<Long> timeout = new CompletableFuture<>();
    socket.node().onLoop(() -> timeout.complete(socket.node().tree.missingTimeoutMillis()));
    return timeout.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void aParentsLinkThatCloses_tellsEveryVersion3Link_notAVersion2OneNorTheStepParent() {
    MeshSocket node = node();
    ScriptedPeer a = v3Peer(node);
    ScriptedPeer parent = v3Peer(node);
    ScriptedPeer y = v3Peer(node);
    ScriptedPeer z = v3Peer(node);
    ScriptedPeer child = v3Peer(node);
    ScriptedPeer old = TreePeers.connect(net, node, TreePeers.VERSION_2);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    relayedByTheParent_andPrunedBothWaysWith(node, one, parent, y);
    assertThat(nextBroadcastOrTree(z).message().body()).isEqualTo(one.body());
    z.writeFrame(one);
    assertThat(nextBroadcastOrTree(z).packets()).isEqualTo(tree(new TreeMessage.Prune(List.of(a.id()))));
    TreePeers.prune(node, z, a.id()); // z too is lazy both ways, and pruned last: the step-parent
    assertThat(nextBroadcastOrTree(child).message().body()).isEqualTo(one.body());
    assertThat(nextBroadcastOrTree(old).message().body()).isEqualTo(one.body());

    parent.close();
    assertThat(nextBroadcastOrTree(z).packets()).as("the step-parent is grafted (rule 8), not told")
        .isEqualTo(tree(new TreeMessage.Graft(List.of(one.id()))));
    assertThat(nextBroadcastOrTree(child).packets()).as("a link the origin is pushed on is told")
        .isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    assertThat(nextBroadcastOrTree(y).packets()).as("and a link it is announced on")
        .isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    a.writeFrame(two);
    assertThat(nextBroadcastOrTree(old).message().body()).as("nothing before it on the version-2 link")
        .isEqualTo(two.body());
    assertThat(nextBroadcastOrTree(child).message().body()).isEqualTo(two.body());
    assertThat(node.broadcastStats().orphanNoticesSent()).isEqualTo(2);
  }

  /**
   * An origin quiet for longer than the peers cache a broadcast gets no step-parent (a GRAFT names
   * cached ids only, extension-v2.md rule 8), but the node is orphaned for it all the same and says so.
   */
  @Test
  void aParentsLinkThatCloses_tellsOfAnOriginQuietLongerThanTheCache_thoughItGraftsNothingForIt() {
    MeshSocket node = node();
    ScriptedPeer a = v3Peer(node);
    ScriptedPeer parent = v3Peer(node);
    ScriptedPeer y = v3Peer(node);
    long stale = TreePeers.beyondTheCache();
    relayedByTheParent_andPrunedBothWaysWith(node, a.messageAt(Flags.MAIN_BROADCAST, stale, 0L, "one"), parent, y);

    parent.close();
    assertThat(nextBroadcastOrTree(y).packets()).as("told, not grafted")
        .isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    assertThat(missingTimeout(node)).as("orphaned").isEqualTo(BroadcastTree.ORPHANED_MISSING_TIMEOUT_MILLIS);
    assertThat(node.broadcastStats().graftsSent()).isZero();
  }

  @Test
  void aNoticeFromTheParent_isRelayedBelowOnce_oneFromAnotherLinkIsNot_andHearingFromTheOriginEndsIt() {
    MeshSocket node = node();
    ScriptedPeer a = v3Peer(node);
    ScriptedPeer parent = v3Peer(node);
    ScriptedPeer child = v3Peer(node);
    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    parent.writeFrame(one);
    assertThat(nextBroadcastOrTree(child).message().body()).isEqualTo(one.body());

    notice(node, child, a.id());
    assertThat(node.broadcastStats().orphanNoticesSent()).as("not from the origin's parent here: not relayed").isZero();
    notice(node, parent, a.id());
    assertThat(nextBroadcastOrTree(child).packets()).isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    notice(node, parent, a.id());

    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    parent.writeFrame(two);
    assertThat(nextBroadcastOrTree(child).message().body()).as("the second notice was not relayed")
        .isEqualTo(two.body());
    notice(node, parent, a.id());
    assertThat(nextBroadcastOrTree(child).packets()).as("heard from the origin: a new break is told again")
        .isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    assertThat(node.broadcastStats().orphanNoticesSent()).isEqualTo(2);
  }

  @Test
  void whileOrphaned_announcementsAreGraftedAfterTheShortTimeout_untilTheOriginIsHeardFrom() {
    MeshSocket node = node();
    ScriptedPeer a = v3Peer(node);
    ScriptedPeer parent = v3Peer(node);
    ScriptedPeer y = v3Peer(node);
    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    parent.writeFrame(one);
    assertThat(nextBroadcastOrTree(y).message().body()).isEqualTo(one.body());
    assertThat(missingTimeout(node)).isEqualTo(BroadcastTree.MISSING_TIMEOUT_MILLIS);

    notice(node, parent, a.id());
    assertThat(missingTimeout(node)).as("orphaned").isEqualTo(BroadcastTree.ORPHANED_MISSING_TIMEOUT_MILLIS);
    assertThat(nextBroadcastOrTree(y).packets()).as("relayed below")
        .isEqualTo(tree(new TreeMessage.Orphaned(List.of(a.id()))));
    Bytes announced = y.message(Flags.MAIN_BROADCAST, 0L, "announced only").id();
    y.send(Flags.MAIN_WHISPER, new TreeMessage.Announce(List.of(announced)).toPayload().toArray());
    assertThat(nextBroadcastOrTree(y).packets()).isEqualTo(tree(new TreeMessage.Graft(List.of(announced))));

    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    parent.writeFrame(two);
    assertThat(nextBroadcastOrTree(y).message().body()).isEqualTo(two.body());
    assertThat(missingTimeout(node)).as("heard from the origin").isEqualTo(BroadcastTree.MISSING_TIMEOUT_MILLIS);
  }

  @Test
  void aNoticeFromALinkTheOriginIsAnnouncedOn_getsTheOriginsNextBroadcastAnnouncedAtOnce_thenBatchedAgain() {
    MeshSocket node = node();
    ScriptedPeer a = v3Peer(node);
    ScriptedPeer parent = v3Peer(node);
    ScriptedPeer y = v3Peer(node);
    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    parent.writeFrame(one);
    assertThat(nextBroadcastOrTree(y).message().body()).isEqualTo(one.body());
    TreePeers.prune(node, y, a.id());

    notice(node, y, a.id());
    assertThat(node.broadcastStats().orphanNoticesSent()).as("y is not below the node: nothing relayed").isZero();
    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    InternalMessage three = a.message(Flags.MAIN_BROADCAST, 0L, "three");
    InternalMessage four = a.message(Flags.MAIN_BROADCAST, 0L, "four");
    parent.writeFrame(two);
    parent.writeFrame(three);
    parent.writeFrame(four);
    // A batch of fewer than 8 ids waits 200 ms: without the notice the three ids would share a frame.
    assertThat(nextBroadcastOrTree(y).packets()).as("the first, at once")
        .isEqualTo(tree(new TreeMessage.Announce(List.of(two.id()))));
    assertThat(nextBroadcastOrTree(y).packets()).as("the next ones batched as before")
        .isEqualTo(tree(new TreeMessage.Announce(List.of(three.id(), four.id()))));
  }

  @Test
  void aNoticeOnAVersion2Link_isRefusedAndCounted_andTheLinkStays() {
    MeshSocket node = node();
    ScriptedPeer old = TreePeers.connect(net, node, TreePeers.VERSION_2);
    ScriptedPeer witness = v3Peer(node);

    old.send(Flags.MAIN_WHISPER, new TreeMessage.Orphaned(List.of(witness.id())).toPayload().toArray());
    await("the notice to be refused").atMost(WAIT).until(() -> node.broadcastStats().refused() == 1);
    assertThat(node.broadcastStats().orphanNoticesReceived()).isZero();
    TreePeers.handledSoFar(old, witness);
    assertThat(node.routingTable()).containsKey(old.id());
  }
}
