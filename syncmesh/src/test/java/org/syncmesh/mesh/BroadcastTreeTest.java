package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.TreePeers.afterTheParentClosed_aBroadcastsAgain;
import static org.syncmesh.mesh.TreePeers.handledSoFar;
import static org.syncmesh.mesh.TreePeers.nextBroadcastOrTree;
import static org.syncmesh.mesh.TreePeers.prune;
import static org.syncmesh.mesh.TreePeers.relayedByTheParent_andPrunedBothWaysWith;
import static org.syncmesh.mesh.TreePeers.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.TreeMessage;

/**
 * The broadcast tree's protocol (docs/extension-v2.md §2–§3) as a peer sees it, against scripted
 * version-2 peers: eager push, prune on a duplicate (never of the parent, once per second), a link
 * lazy when its peer prunes, batched announcements, graft and its answer from the cache, graft of
 * an announced id that does not come or is no longer cached, and refusals of misbehaving peers.
 * "Nothing else arrived" is shown by the next broadcast or tree frame on the link: frames keep
 * their order per link.
 */
final class BroadcastTreeTest {

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0).build());
  }

  /** A scripted syncmesh peer offering 1..2, as a build of version 2: its link runs the tree, without notices. */
  private ScriptedPeer v2Peer(MeshSocket node) {
    return TreePeers.connect(net, node, TreePeers.VERSION_2);
  }

  /**
   * Peers a and b, both version 2, with the node's link to b lazy for a's broadcasts: a's first
   * broadcast was pushed to b, and b pruned the node for a's tree.
   */
  private ScriptedPeer[] lazyForA(MeshSocket node) {
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer b = v2Peer(node);
    InternalMessage first = a.message(Flags.MAIN_BROADCAST, 0L, "first");
    a.writeFrame(first);
    nextBroadcastOrTree(b);
    prune(node, b, a.id());
    return new ScriptedPeer[] {a, b};
  }

  @Test
  void pushedEagerly_aDuplicateIsPruned_aPruneMakesTheLinkLazy_andAGraftGetsTheSameBytesOnce() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer b = v2Peer(node);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    a.writeFrame(one);
    Frame pushed = nextBroadcastOrTree(b);
    assertThat(pushed.message().body()).as("a new link is eager: pushed as it came").isEqualTo(one.body());

    b.writeFrame(one); // a copy on an eager link
    assertThat(nextBroadcastOrTree(b).packets()).isEqualTo(tree(new TreeMessage.Prune(List.of(a.id()))));
    InternalMessage half = a.message(Flags.MAIN_BROADCAST, 0L, "half");
    a.writeFrame(half);
    assertThat(nextBroadcastOrTree(b).message().body())
        .as("pruning b stops b's pushes to the node, not the node's to b").isEqualTo(half.body());

    prune(node, b, a.id());
    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    a.writeFrame(two);
    Frame announced = nextBroadcastOrTree(b);
    assertThat(announced.packets()).as("a lazy link gets the id only")
        .isEqualTo(tree(new TreeMessage.Announce(List.of(two.id()))));

    b.send(Flags.MAIN_WHISPER, new TreeMessage.Graft(List.of(two.id())).toPayload().toArray());
    assertThat(nextBroadcastOrTree(b).message().body()).as("the cached broadcast, byte for byte").isEqualTo(two.body());

    long refusedBefore = node.broadcastStats().refused();
    b.send(Flags.MAIN_WHISPER, new TreeMessage.Graft(List.of(two.id())).toPayload().toArray());
    await("the second graft of one id to be refused").atMost(WAIT)
        .until(() -> node.broadcastStats().refused() == refusedBefore + 1);
    InternalMessage three = a.message(Flags.MAIN_BROADCAST, 0L, "three");
    a.writeFrame(three);
    assertThat(nextBroadcastOrTree(b).message().body()).as("grafted: eager again, and 'two' was not sent twice")
        .isEqualTo(three.body());

    BroadcastStats stats = node.broadcastStats();
    assertThat(stats.eagerPushes()).isEqualTo(3);
    assertThat(stats.prunesSent()).isEqualTo(1);
    assertThat(stats.announcementFrames()).isEqualTo(1);
    assertThat(stats.announcedIds()).isEqualTo(1);
    assertThat(stats.graftsReceived()).isEqualTo(2);
    assertThat(stats.graftAnswers()).isEqualTo(1);
    assertThat(stats.floodSends()).isZero();
  }

  @Test
  void aPruneConcernsOneOriginsTree_otherOriginsAreStillPushed() {
    MeshSocket node = node();
    ScriptedPeer[] ab = lazyForA(node);
    ScriptedPeer a = ab[0];
    ScriptedPeer b = ab[1];
    ScriptedPeer c = v2Peer(node);

    InternalMessage fromC = c.message(Flags.MAIN_BROADCAST, 0L, "c's");
    c.writeFrame(fromC);
    assertThat(nextBroadcastOrTree(b).message().body()).as("c's tree still pushes to b").isEqualTo(fromC.body());
    InternalMessage againFromA = a.message(Flags.MAIN_BROADCAST, 0L, "a's again");
    a.writeFrame(againFromA);
    assertThat(nextBroadcastOrTree(b).packets()).as("a's tree announces to b")
        .isEqualTo(tree(new TreeMessage.Announce(List.of(againFromA.id()))));
  }

  @Test
  void anAnnouncedIdThatDoesNotCome_isGraftedFromTheAnnouncerAfterTheTimeout() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    InternalMessage missing = a.message(Flags.MAIN_BROADCAST, 0L, "missed");

    long announcedAt = System.nanoTime();
    a.send(Flags.MAIN_WHISPER, new TreeMessage.Announce(List.of(missing.id())).toPayload().toArray());
    Frame graft = a.readMatching(f -> f.subFlag() == Flags.SUB_SM_TREE);
    long waitedMillis = (System.nanoTime() - announcedAt) / 1_000_000;

    assertThat(graft.packets()).isEqualTo(tree(new TreeMessage.Graft(List.of(missing.id()))));
    assertThat(waitedMillis).as("the missing-message timeout").isGreaterThanOrEqualTo(
        BroadcastTree.MISSING_TIMEOUT_MILLIS - 10);
    a.writeFrame(missing);
    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("missed");
    assertThat(node.broadcastStats().graftsSent()).isEqualTo(1);
  }

  @Test
  void anAnnouncementOfABroadcastAlreadyHeld_isNotGrafted() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    InternalMessage held = a.message(Flags.MAIN_BROADCAST, 0L, "held");
    a.writeFrame(held);
    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("held");

    InternalMessage other = a.message(Flags.MAIN_BROADCAST, 0L, "other");
    a.send(Flags.MAIN_WHISPER, new TreeMessage.Announce(List.of(held.id())).toPayload().toArray());
    a.send(Flags.MAIN_WHISPER, new TreeMessage.Announce(List.of(other.id())).toPayload().toArray());

    assertThat(a.readMatching(f -> f.subFlag() == Flags.SUB_SM_TREE).packets()).as("only the unknown id")
        .isEqualTo(tree(new TreeMessage.Graft(List.of(other.id()))));
  }

  @Test
  void announcementsToOneLinkGoOutTogether() {
    MeshSocket node = node();
    ScriptedPeer[] ab = lazyForA(node);
    ScriptedPeer a = ab[0];
    ScriptedPeer b = ab[1];

    List<Bytes> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // written at once: well within one batching window
      InternalMessage m = a.message(Flags.MAIN_BROADCAST, 0L, "m" + i);
      ids.add(m.id());
      a.writeFrame(m);
    }
    List<Object> announced = new ArrayList<>();
    while (announced.size() < ids.size()) {
      Frame f = nextBroadcastOrTree(b);
      assertThat(f.subFlag()).as("only announcements on a lazy link").isEqualTo(Flags.SUB_SM_TREE);
      announced.addAll((List<?>) f.packets().get(2));
    }
    assertThat(announced).containsExactlyElementsOf(ids);
    assertThat(node.broadcastStats().announcementFrames()).as("20 ids in a few frames, not 20")
        .isLessThanOrEqualTo(5);
  }

  @Test
  void aLoneAnnouncementWaitsForCompany_untilTheLongestDelay() {
    MeshSocket node = node();
    ScriptedPeer[] ab = lazyForA(node);
    ScriptedPeer a = ab[0];
    ScriptedPeer b = ab[1];

    InternalMessage lone = a.message(Flags.MAIN_BROADCAST, 0L, "lone");
    long sentAt = System.nanoTime();
    a.writeFrame(lone);
    Frame announced = nextBroadcastOrTree(b);
    long waitedMillis = (System.nanoTime() - sentAt) / 1_000_000;
    assertThat(announced.packets()).isEqualTo(tree(new TreeMessage.Announce(List.of(lone.id()))));
    assertThat(waitedMillis).as("fewer than %d ids wait up to %d ms", BroadcastTree.ANNOUNCE_MIN_IDS,
        BroadcastTree.ANNOUNCE_MAX_DELAY_MILLIS).isGreaterThanOrEqualTo(BroadcastTree.ANNOUNCE_MAX_DELAY_MILLIS - 10);
  }

  @Test
  void announcementsFitTheFrameCap_ofASmallNode() {
    MeshSocket node = net.track(new MeshSocket.Builder().maxOutgoing(0).maxFrameBytes(1024).build());
    ScriptedPeer[] ab = lazyForA(node);
    ScriptedPeer a = ab[0];
    ScriptedPeer b = ab[1];

    List<Bytes> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      InternalMessage m = a.message(Flags.MAIN_BROADCAST, 0L, "m" + i);
      ids.add(m.id());
      a.writeFrame(m);
    }
    List<Object> announced = new ArrayList<>();
    while (announced.size() < ids.size()) {
      Frame f = nextBroadcastOrTree(b);
      assertThat(f.payload().length).as("an announcement under the 1 KiB cap").isLessThanOrEqualTo(1024);
      announced.addAll((List<?>) f.packets().get(2));
    }
    assertThat(announced).containsExactlyElementsOf(ids);
    assertThat(node.statusErrors()).isEmpty();
  }

  /**
   * The node's parent for an origin is the link not pruned here that brought its latest first
   * receipt; a copy from the parent is never pruned, so broadcasts overtaking each other on two
   * links cannot leave the node pruned on both.
   */
  @Test
  void theParentIsNeverPruned_andACopyFromAPrunedLinkDoesNotMakeItTheParent() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer b = v2Peer(node);
    ScriptedPeer c = v2Peer(node);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    b.writeFrame(one); // a's broadcast relayed by b comes first: b is a's parent here
    assertThat(nextBroadcastOrTree(c).message().body()).isEqualTo(one.body());
    a.writeFrame(one);
    assertThat(nextBroadcastOrTree(a).packets()).as("the later copy's link is pruned")
        .isEqualTo(tree(new TreeMessage.Prune(List.of(a.id()))));

    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "two");
    a.writeFrame(two); // pushed before a took the prune: first here, but from a pruned link
    assertThat(nextBroadcastOrTree(c).message().body()).isEqualTo(two.body());
    assertThat(nextBroadcastOrTree(b).message().body()).isEqualTo(two.body());
    b.writeFrame(two); // the parent's copy comes second
    handledSoFar(b, c);
    InternalMessage fromC = c.message(Flags.MAIN_BROADCAST, 0L, "c's");
    c.writeFrame(fromC);
    assertThat(nextBroadcastOrTree(b).message().body()).as("no PRUNE to the parent, b: c's broadcast comes next")
        .isEqualTo(fromC.body());
    assertThat(node.broadcastStats().prunesSent()).isEqualTo(1);
  }

  @Test
  void copiesPushedBeforeAPruneArrived_areNotPrunedAgainWithinASecond() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer b = v2Peer(node);
    ScriptedPeer c = v2Peer(node);

    long firstCopy = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      InternalMessage m = a.message(Flags.MAIN_BROADCAST, 0L, "m" + i);
      a.writeFrame(m);
      assertThat(nextBroadcastOrTree(c).message().body()).isEqualTo(m.body()); // a's copy came first
      b.writeFrame(m); // b's copies, as if all pushed before b read the node's PRUNE
    }
    handledSoFar(b, c);
    Assumptions.assumeTrue(System.nanoTime() - firstCopy < BroadcastTree.PRUNE_REPEAT_NANOS,
        "the five copies took longer than the PRUNE repeat window on this machine");
    InternalMessage fromC = c.message(Flags.MAIN_BROADCAST, 0L, "c's");
    c.writeFrame(fromC);
    List<Frame> toB = new ArrayList<>();
    while (toB.isEmpty() || toB.get(toB.size() - 1).flag() != Flags.MAIN_BROADCAST
        || !toB.get(toB.size() - 1).message().body().equals(fromC.body())) {
      toB.add(nextBroadcastOrTree(b));
    }
    assertThat(toB).filteredOn(f -> f.subFlag() == Flags.SUB_SM_TREE).as("one PRUNE for five copies")
        .extracting(Frame::packets).containsExactly(tree(new TreeMessage.Prune(List.of(a.id()))));
    assertThat(node.broadcastStats().prunesSent()).isEqualTo(1);
  }

  /**
   * The parent's link closes: the node grafts, at once, a link that pruned it for the origin, with
   * the origin's latest broadcast (which that peer announced, so holds), and takes that peer as the
   * new parent: its answer, a copy, is not pruned.
   */
  @Test
  void aParentsLinkThatCloses_isReplacedAtOnceByGraftingALinkThatPrunedTheNode() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer parent = v2Peer(node);
    ScriptedPeer y = v2Peer(node);
    ScriptedPeer c = v2Peer(node);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    relayedByTheParent_andPrunedBothWaysWith(node, one, parent, y);
    assertThat(nextBroadcastOrTree(c).message().body()).isEqualTo(one.body());

    parent.close();
    assertThat(nextBroadcastOrTree(y).packets()).as("grafted for the origin's latest broadcast, with no announcement")
        .isEqualTo(tree(new TreeMessage.Graft(List.of(one.id()))));
    y.writeFrame(one); // the answer: the very frame, a copy here
    handledSoFar(y, c);
    assertThat(node.broadcastStats().prunesSent()).as("the step-parent's copy is not pruned").isEqualTo(1);
    assertThat(node.broadcastStats().graftsSent()).isEqualTo(1);
  }

  /**
   * With no link that pruned the node for the origin, every other neighbour gets the origin through
   * the node: a GRAFT to one could not be answered (it would make that link eager for every origin),
   * so the closing parent's link grafts nothing and the missing timer repairs as before.
   */
  @Test
  void aParentsLinkThatCloses_graftsNoChild() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer parent = v2Peer(node);
    ScriptedPeer child = v2Peer(node);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "one");
    parent.writeFrame(one);
    assertThat(nextBroadcastOrTree(child).message().body()).isEqualTo(one.body());
    InternalMessage two = afterTheParentClosed_aBroadcastsAgain(node, parent, a);
    assertThat(nextBroadcastOrTree(child).message().body()).as("no GRAFT before it").isEqualTo(two.body());
    assertThat(node.broadcastStats().graftsSent()).isZero();
  }

  /**
   * An origin quiet for longer than the peers cache a broadcast: a GRAFT for its latest could not
   * be answered from the cache (it would make the step-parent push every origin here), so the
   * closing parent's link grafts nothing for it; its next broadcast is announced as before.
   */
  @Test
  void aParentsLinkThatCloses_graftsNothingForAnOriginQuietLongerThanTheCache() {
    MeshSocket node = node();
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer parent = v2Peer(node);
    ScriptedPeer y = v2Peer(node);
    long stale = TreePeers.beyondTheCache();

    relayedByTheParent_andPrunedBothWaysWith(node, a.messageAt(Flags.MAIN_BROADCAST, stale, 0L, "one"), parent, y);

    InternalMessage two = afterTheParentClosed_aBroadcastsAgain(node, parent, a);
    assertThat(nextBroadcastOrTree(y).packets()).as("announced, with no GRAFT before it")
        .isEqualTo(tree(new TreeMessage.Announce(List.of(two.id()))));
    assertThat(node.broadcastStats().graftsSent()).isZero();
  }

  /**
   * A graft for broadcasts the node no longer caches tells it the grafter's tree broke longer ago
   * than the cache reaches (a bulk load outruns it): the node pushes every origin to it again.
   */
  @Test
  void aGraftForBroadcastsNoLongerCached_makesTheLinkEagerForEveryOrigin() {
    MeshSocket node = node();
    ScriptedPeer[] ab = lazyForA(node);
    ScriptedPeer a = ab[0];
    ScriptedPeer b = ab[1];
    InternalMessage announcedOnly = a.message(Flags.MAIN_BROADCAST, 0L, "announced");
    a.writeFrame(announcedOnly);
    assertThat(nextBroadcastOrTree(b).packets()).isEqualTo(tree(new TreeMessage.Announce(List.of(announcedOnly.id()))));

    byte[] evicted = new byte[TreeMessage.ID_BYTES];
    new SplittableRandom(3).nextBytes(evicted);
    b.send(Flags.MAIN_WHISPER, new TreeMessage.Graft(List.of(Bytes.of(evicted))).toPayload().toArray());
    await("the graft to be refused").atMost(WAIT).until(() -> node.broadcastStats().refused() == 1);

    InternalMessage next = a.message(Flags.MAIN_BROADCAST, 0L, "next");
    a.writeFrame(next);
    assertThat(nextBroadcastOrTree(b).message().body()).as("pushed again, not announced").isEqualTo(next.body());
    assertThat(node.broadcastStats().graftAnswers()).isZero();
  }

  @Test
  void misbehavingPeers_areRefusedCountedAndReported_andTheNodeServesOn() {
    MeshSocket node = node();
    ScriptedPeer v2 = v2Peer(node);
    ScriptedPeer v1 = Peers.handshaken(net, node, Style.SYNCMESH);
    assertThat(node.routingTable().get(v1.id()).extensionVersion()).isEqualTo(1);

    v2.send(Flags.MAIN_WHISPER, (long) Flags.SUB_SM_TREE, 9L);
    v1.send(Flags.MAIN_WHISPER, new TreeMessage.Prune(List.of(v1.id())).toPayload().toArray());
    v2.send(Flags.MAIN_BROADCAST, new TreeMessage.Prune(List.of(v2.id())).toPayload().toArray());
    SplittableRandom random = new SplittableRandom(7);
    for (int g = 0; g < 20; g++) { // a graft flood for ids the node never had
      List<Bytes> bogus = new ArrayList<>();
      for (int i = 0; i < TreeMessage.MAX_IDS; i++) {
        byte[] id = new byte[TreeMessage.ID_BYTES];
        random.nextBytes(id);
        bogus.add(Bytes.of(id));
      }
      v2.send(Flags.MAIN_WHISPER, new TreeMessage.Graft(bogus).toPayload().toArray());
    }

    long expected = 3 + 20L * TreeMessage.MAX_IDS;
    await("every bad message and id counted").atMost(WAIT).until(() -> node.broadcastStats().refused() == expected);
    assertThat(Peers.statusMentioning(node, "dropped tree message")).hasSize(3)
        .anyMatch(s -> s.contains("unknown kind 9"))
        .anyMatch(s -> s.contains("extension version 1 (needs 2)"))
        .anyMatch(s -> s.contains("main flag 0"));
    v2.send(Flags.MAIN_BROADCAST, 0L, "still served");
    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("still served");
    assertThat(v1.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets()).as("flooded to the v1 peer")
        .containsExactly(0L, "still served");
    assertThat(node.routingTable()).containsKeys(v1.id(), v2.id());
    assertThat(node.broadcastStats().graftAnswers()).isZero();
  }

  /**
   * As the sync layer of a secure network does (docs/extension-v1.md §8.3): broadcasts are relayed
   * by the extension, after its check, with {@code node.broadcast}. That relay follows the tree too,
   * and a graft gets the very bytes that arrived (a signed write's signature stays valid).
   */
  @Test
  void anExtensionThatRelaysItself_relaysOverTheTree_andAGraftGetsTheArrivedBytes() {
    MeshSocket node = net.track(Extensions.meshSocket(new MeshSocket.Builder().maxOutgoing(0), n -> new MeshExtension() {
      @Override
      public boolean relaysItself(InternalMessage message) {
        return message.type() == Flags.MAIN_BROADCAST;
      }

      @Override
      public boolean handle(Message message, PeerInfo from) {
        if (message.wire().type() == Flags.MAIN_BROADCAST) { // "checked": relayed to all but its sender and origin
          n.broadcast(n.frame(Extensions.wire(message)),
              p -> !p.id().equals(from.id()) && !p.id().equals(message.sender()));
        }
        return true;
      }
    }));
    ScriptedPeer a = v2Peer(node);
    ScriptedPeer b = v2Peer(node);

    InternalMessage one = a.message(Flags.MAIN_BROADCAST, 0L, "signed one");
    a.writeFrame(one);
    assertThat(nextBroadcastOrTree(b).message().body()).isEqualTo(one.body());
    prune(node, b, a.id());

    InternalMessage two = a.message(Flags.MAIN_BROADCAST, 0L, "signed two");
    a.writeFrame(two);
    assertThat(nextBroadcastOrTree(b).packets()).isEqualTo(tree(new TreeMessage.Announce(List.of(two.id()))));
    b.send(Flags.MAIN_WHISPER, new TreeMessage.Graft(List.of(two.id())).toPayload().toArray());
    Frame answer = nextBroadcastOrTree(b);
    assertThat(answer.message().body()).isEqualTo(two.body());
    assertThat(answer.message().id()).isEqualTo(two.id());
    assertThat(node.broadcastStats().graftAnswers()).isEqualTo(1);
  }
}
