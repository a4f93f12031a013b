package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Version;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Flags;

/**
 * Leases a cheating member cannot break (docs/extension-v1.md §8.4): in a secure leasing network a
 * member that signs a takeover of another member's live lease, with the next epoch, is refused by
 * every node, whatever the order in which the owner's writes and the takeover arrive; the
 * takeover stays in each key's history as evidence. A takeover after the hour still wins.
 */
final class EarlyTakeoverTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Bytes KEY = Bytes.utf8("leased");
  private static final long T0 = 1_700_000_000L;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir java.nio.file.Path dir;

  private SyncSocket node(NodeIdentity identity, UnaryOperator<SyncSocket.Builder> settings) {
    // A drift far above the hours the fake clock moves: a clock reading in flight while it moves is no skew.
    return Cluster.node(net, true, b -> settings.apply(b.signedForTests(identity).maxClockDrift(Duration.ofHours(5))));
  }

  private SyncSocket node(NodeIdentity identity) {
    return node(identity, b -> b);
  }

  /** {@code m} signs, as itself, a write of {@code KEY} claiming it in {@code epoch} at {@code claimSecond}, sent to {@code to}. */
  private static void grab(SyncSocket m, NodeIdentity key, Object value, long millis, int epoch, long claimSecond,
      Predicate<PeerInfo> to) {
    Version v = new Version(Hlc.of(millis, 0), m.id());
    Version claim = Resolution.claim(claimSecond, m.id());
    SignedWrites.Signed signed = new SignedWrites(key, m.protocol().id(), id -> false)
        .sign(KEY, value, v, millis / 1000, new Resolution.Tenure(epoch, claim));
    MeshExtension.Node node = m.node();
    node.broadcast(node.frame(ExtMessages.signedWrite(m.id(), millis / 1000, Flags.SUB_SM_WRITE, KEY, value, v.hlc(),
        epoch, claim, signed)), to);
  }

  private static void awaitValue(List<SyncSocket> nodes, Object value) {
    Awaitility.await("every node to show " + value).atMost(WAIT)
        .until(() -> nodes.stream().allMatch(n -> n.get(KEY).equals(java.util.Optional.of(value))));
  }

  /** Waits until every node holds the same whole state, each key's history included. */
  static void awaitWholeStatesEqual(List<SyncSocket> nodes) {
    Awaitility.await("identical whole states, histories included").atMost(WAIT).until(() -> {
      Map<Bytes, List<Store.Entry>> first = nodes.get(0).wholeState();
      return nodes.stream().allMatch(n -> n.wholeState().equals(first));
    });
  }

  @Test
  void aLeaseGrabInTheNextEpoch_whileTheLeaseIsLive_isRefusedOnEveryNode_reportedCounted_andDisturbsNothing() {
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket b = node(NodeIdentity.generate()); // the owner
    SyncSocket c = node(NodeIdentity.generate());
    SyncSocket m = node(evilKey); // the cheating member
    SignedWritesTest.link(b, a);
    SignedWritesTest.link(c, b);
    SignedWritesTest.link(m, a);
    SignedWritesTest.link(m, c);
    List<SyncSocket> all = List.of(a, b, c, m);
    b.set(KEY, "owned");
    a.set("other", "a's");
    awaitValue(all, "owned");
    SignedWritesTest.awaitIdentical(all);
    Map<Bytes, Store.Entry> before = a.snapshot();
    Store.Entry held = before.get(KEY);

    long now = System.currentTimeMillis();
    grab(m, evilKey, "grabbed", now, held.epoch() + 1, now / 1000, p -> true);

    for (SyncSocket n : List.of(a, b, c)) {
      Awaitility.await(n + " to refuse the grab").atMost(WAIT).until(() -> n.earlyTakeovers() == 1);
      assertThat(n.refusedRemoteWrites()).as("%s", n).isEqualTo(1);
      assertThat(n.statusErrors()).as("%s", n).anyMatch(e -> e.startsWith("refused takeover of key \"leased\" by "
          + m.id() + ": the lease of " + b.id() + " holds until "));
      assertThat(n.forgedRemoteWrites()).isZero();
    }
    awaitWholeStatesEqual(all); // m too holds its grab as evidence, by anti-entropy
    for (SyncSocket n : all) {
      assertThat(n.snapshot()).as("%s", n).isEqualTo(before);
      assertThat(n.wholeState().get(KEY)).as("%s", n).hasSize(2);
      assertThat(n.wholeState().get(Bytes.utf8("other"))).as("%s", n).hasSize(1);
    }
    // the owner still writes its key, and nobody else may
    b.set(KEY, "still mine");
    awaitValue(all, "still mine");
    assertThatThrownBy(() -> c.set(KEY, "mine?")).isInstanceOf(LeaseException.class).hasMessageContaining(b.id());
    awaitWholeStatesEqual(all);
  }

  /**
   * Some nodes receive the grab before the owner's latest write, which shows its lease live at the
   * grab's claim: they show the grab for a while (it takes over the lease they know, which had
   * ended), then, once anti-entropy brings the owner's write, the owner's state again, and their
   * listeners hear of both. Every node ends with the same history and the owner's state.
   */
  @Test
  void nodesThatReceiveTheGrabBeforeTheOwnersLatestWrite_endOnTheOwnersState_andTheirListenersSeeItBack() {
    FakeClock clock = new FakeClock(T0);
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate(), b -> b.clock(clock));
    SyncSocket b = node(NodeIdentity.generate(), x -> x.clock(clock)); // the owner
    SyncSocket c = node(NodeIdentity.generate(), x -> x.clock(clock)); // behind a partition for a while
    SyncSocket m = node(evilKey, x -> x.clock(clock)); // linked to c alone
    SignedWritesTest.link(b, a);
    Cluster.Link toA = Cluster.link(net, c, a);
    SignedWritesTest.link(m, c);
    List<SyncSocket> all = List.of(a, b, c, m);
    List<Object> heardByC = new CopyOnWriteArrayList<>();
    c.onUpdate((k, old, value) -> {
      if (k.equals(KEY)) {
        heardByC.add(value);
      }
    });

    b.set(KEY, "v1"); // at T0: leased until T0 + 3600
    awaitValue(all, "v1");
    toA.proxy().partition();
    Cluster.awaitDown(List.of(toA), WAIT, "c cut off");
    clock.advanceSeconds(3000);
    b.set(KEY, "v2"); // at T0 + 3000: leased until T0 + 6600; c and m do not hear of it
    awaitValue(List.of(a, b), "v2");
    clock.advanceSeconds(1000);
    grab(m, evilKey, "grabbed", clock.millis(), 2, clock.seconds(), p -> true); // at T0 + 4000

    awaitValue(List.of(c, m), "grabbed"); // m takes it back from c by anti-entropy
    assertThat(c.earlyTakeovers()).isZero();
    toA.proxy().heal();
    awaitValue(all, "v2");
    awaitWholeStatesEqual(all);
    for (SyncSocket n : all) {
      Awaitility.await(n + " to refuse the grab").atMost(WAIT).until(() -> n.earlyTakeovers() >= 1);
      assertThat(n.statusErrors()).as("%s", n).anyMatch(e -> e.contains("refused takeover of key \"leased\" by "
          + m.id()));
      assertThat(n.wholeState().get(KEY)).as("%s", n).hasSize(2);
    }
    Awaitility.await("c's listener").atMost(WAIT).until(() -> heardByC.size() >= 3);
    assertThat(heardByC).containsExactly("v1", "grabbed", "v2");
    assertThat(a.snapshot()).isEqualTo(c.snapshot());
  }

  /** After the hour the key is free to take over: the takeover wins everywhere, and nothing is refused. */
  @Test
  void aTakeoverAfterTheHour_winsEverywhere_andTheOwnerWritingLate_claimsAgain() {
    FakeClock clock = new FakeClock(T0);
    SyncSocket a = node(NodeIdentity.generate(), x -> x.clock(clock));
    SyncSocket b = node(NodeIdentity.generate(), x -> x.clock(clock));
    SyncSocket c = node(NodeIdentity.generate(), x -> x.clock(clock));
    SignedWritesTest.link(b, a);
    SignedWritesTest.link(c, b);
    List<SyncSocket> all = List.of(a, b, c);
    b.set(KEY, "b's");
    awaitValue(all, "b's");
    clock.advanceSeconds(3600);
    assertThatThrownBy(() -> c.set(KEY, "c's")).isInstanceOf(LeaseException.class);
    clock.advanceSeconds(1);
    c.set(KEY, "c's");
    awaitValue(all, "c's");
    awaitWholeStatesEqual(all);
    for (SyncSocket n : all) {
      assertThat(n.earlyTakeovers()).as("%s", n).isZero();
      assertThat(n.snapshot().get(KEY).epoch()).isEqualTo(2);
      assertThat(n.wholeState().get(KEY)).as("b's record stays as history").hasSize(2);
    }

    // Rule 3: c writes again more than an hour after its own last write: a claim of epoch 3 by c.
    clock.advanceSeconds(3601);
    c.set(KEY, "c's again");
    awaitValue(all, "c's again");
    awaitWholeStatesEqual(all);
    Store.Entry e = a.snapshot().get(KEY);
    assertThat(e.epoch()).isEqualTo(3);
    assertThat(e.claim()).isEqualTo(Resolution.claim(clock.seconds(), c.id()));
    assertThat(a.wholeState().get(KEY)).hasSize(3);
    clock.advanceSeconds(1);
    assertThatThrownBy(() -> b.set(KEY, "b's again")).isInstanceOf(LeaseException.class);
    assertThat(a.earlyTakeovers()).isZero();
  }

  /** A member claiming a key before the owner's claim (back-dated, in the next epoch) is refused too. */
  @Test
  void aBackDatedTakeover_isRefused() {
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket m = node(evilKey);
    SignedWritesTest.link(m, a);
    a.set(KEY, "owned");
    awaitValue(List.of(a, m), "owned");
    Store.Entry held = a.snapshot().get(KEY);
    long claimed = Hlc.millis(held.claim().hlc()) / 1000;
    long past = (claimed - 30) * 1000; // 30 s before the owner's claim, within the waterfall's 60 s
    grab(m, evilKey, "before you", past, held.epoch() + 1, claimed - 30, p -> true);
    Awaitility.await().atMost(WAIT).until(() -> a.earlyTakeovers() == 1);
    assertThat(a.get(KEY)).contains("owned");
    awaitWholeStatesEqual(List.of(a, m));
    assertThat(m.get(KEY)).contains("owned");
  }

  /**
   * A durable node saves each key's history with it (docs/data-directory.md §3, a record of 14):
   * restarted, it holds the refused takeover as evidence again, and proves it, with everything else,
   * to a member that meets only it, which refuses the takeover in turn.
   */
  @Test
  void aDurableNode_keepsTheHistoryAcrossARestart_andPassesTheEvidenceOn() throws Exception {
    java.nio.file.Path data = dir.resolve("a");
    NodeIdentity aIdentity = NodeIdentity.generate(); // given again at the restart: the same node id
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = Cluster.node(net, true, x -> x.signedForTests(aIdentity).dataDirectory(data));
    SyncSocket b = node(NodeIdentity.generate()); // the owner
    SyncSocket m = node(evilKey);
    SignedWritesTest.link(b, a);
    SignedWritesTest.link(m, a);
    b.set(KEY, "owned");
    a.set("plain", 1);
    awaitValue(List.of(a, b, m), "owned");
    long now = System.currentTimeMillis();
    grab(m, evilKey, "grabbed", now, a.snapshot().get(KEY).epoch() + 1, now / 1000, p -> true);
    Awaitility.await("a to refuse the grab").atMost(WAIT).until(() -> a.earlyTakeovers() == 1);
    awaitWholeStatesEqual(List.of(a, b, m));
    Map<Bytes, List<Store.Entry>> before = a.wholeState();
    assertThat(before.get(KEY)).hasSize(2);
    Awaitility.await("a's own write signed").atMost(WAIT).until(() -> a.proofForTests("plain")
        instanceof SignedWrites.Signed s && !s.pending());
    a.close();

    SyncSocket again = Cluster.node(net, true, x -> x.signedForTests(aIdentity).dataDirectory(data));
    assertThat(again.wholeState()).isEqualTo(before);
    assertThat(again.get(KEY)).contains("owned");
    SyncSocket d = node(NodeIdentity.generate());
    SignedWritesTest.link(d, again);
    awaitWholeStatesEqual(List.of(again, d));
    assertThat(d.wholeState()).isEqualTo(before);
    assertThat(d.earlyTakeovers()).isEqualTo(1);
    assertThat(d.forgedRemoteWrites()).isZero();
  }
}
