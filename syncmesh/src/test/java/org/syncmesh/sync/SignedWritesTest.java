package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Version;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * Signed writes (docs/extension-v1.md §8), with the test hook that turns them on over plaintext
 * links: honest members converge; what a misbehaving member crafts is dropped, reported, and
 * disturbs nothing.
 */
final class SignedWritesTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Bytes VICTIM_KEY = Bytes.utf8("victim");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(NodeIdentity identity) {
    return net.track(new SyncSocket.Builder().maxOutgoing(0).antiEntropyInterval(Duration.ofMillis(200))
        .signedForTests(identity).build());
  }

  /** Links {@code from} to {@code to} and waits until {@code to} routes it over the extension; shared with SignedDeltasTest. */
  static void link(SyncSocket from, SyncSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    Awaitility.await().atMost(WAIT).until(() -> to.routingTable().containsKey(from.id())
        && to.routingTable().get(from.id()).extensionVersion() >= 1);
  }

  /** Waits until every node's whole state is the same; shared with SignedDeltasTest. */
  static void awaitIdentical(List<SyncSocket> nodes) {
    Awaitility.await("identical snapshots").atMost(WAIT).until(() -> {
      Map<Bytes, Store.Entry> first = nodes.get(0).snapshot();
      return nodes.stream().allMatch(n -> n.snapshot().equals(first));
    });
  }

  @Test
  void signedWrites_betweenThreeNodes_converge_setsDeletesLeasing_andAJoinerGetsThemByAntiEntropy() {
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket b = node(NodeIdentity.generate());
    SyncSocket c = node(NodeIdentity.generate());
    link(b, a);
    link(c, b);
    for (int i = 0; i < 50; i++) {
      a.set("a/" + i, i);
      b.set("b/" + i, "v" + i);
      c.set("c/" + i, List.of(i, "x"));
    }
    b.del("b/7");
    // values of every type: each is signed as encoded and checked as decoded, which must agree
    java.util.Map<Object, Object> nested = new java.util.LinkedHashMap<>();
    nested.put("z", List.of(1, "two", 3.0));
    nested.put("a", java.util.Collections.singletonMap("n", null));
    Object[] values = {1.5f, 2.5d, new byte[] {1, 2, 3}, nested, Long.MAX_VALUE, -5, true, "é✓", List.of()};
    for (int i = 0; i < values.length; i++) {
      a.set("t/" + i, values[i]);
    }
    a.set("a/1", "again");
    Awaitility.await().atMost(WAIT).until(() -> c.get("a/2").isPresent()); // c must know a's lease to refuse
    assertThatThrownBy(() -> c.set("a/2", "taken")).isInstanceOf(LeaseException.class);
    awaitIdentical(List.of(a, b, c));
    assertThat(a.size()).isEqualTo(158);
    assertThat(c.get("a/1")).contains("again");
    assertThat(c.meta("b/7").orElseThrow().deleted()).isTrue();

    SyncSocket d = node(NodeIdentity.generate()); // joins late: everything comes by anti-entropy, signed
    link(d, c);
    awaitIdentical(List.of(a, b, c, d));
    for (SyncSocket n : List.of(a, b, c, d)) {
      assertThat(n.statusErrors()).as("%s", n).isEmpty();
      assertThat(n.forgedRemoteWrites()).isZero();
    }
  }

  @Test
  void aMisbehavingMember_forgedTamperedUnsignedReplayedAndLeaseGrab_droppedEverywhere_andNothingDisturbed() {
    NodeIdentity victimKey = NodeIdentity.generate();
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket b = node(victimKey); // the victim
    SyncSocket c = node(NodeIdentity.generate());
    SyncSocket m = node(evilKey); // the misbehaving member, linked to a and c, not to b
    link(b, a);
    link(c, b);
    link(m, a);
    link(m, c);
    b.set(VICTIM_KEY, "v1");
    Store.Entry first = awaitHeldEverywhere(List.of(a, b, c, m), "v1");
    b.set(VICTIM_KEY, "v2");
    Store.Entry held = awaitHeldEverywhere(List.of(a, b, c, m), "v2");
    a.set("other", "a's"); // something else, which must stay as it is
    awaitIdentical(List.of(a, b, c, m));
    Map<Bytes, Store.Entry> before = a.snapshot();
    String protocolId = a.protocol().id();
    MeshExtension.Node evil = m.node();
    long nowMillis = System.currentTimeMillis();
    long hlc = Hlc.of(nowMillis, 7);
    long second = nowMillis / 1000;

    // 1. a write claiming the victim as its writer, signed by the member itself
    SignedWrites.Signed forged = new SignedWrites(evilKey, protocolId, id -> false)
        .sign(VICTIM_KEY, "evil", new Version(hlc, b.id()), second, held.epoch() == 0 ? Resolution.Tenure.NONE
            : new Resolution.Tenure(held.epoch(), held.claim()));
    broadcast(evil, ExtMessages.signedWrite(b.id(), second, Flags.SUB_SM_WRITE, VICTIM_KEY, "evil", hlc,
        held.epoch(), held.claim(), forged));
    // 2. the victim's valid signature over one value, sent with another
    Resolution.Tenure victimTenure = new Resolution.Tenure(held.epoch(), held.claim());
    SignedWrites.Signed genuine = new SignedWrites(victimKey, protocolId, id -> false)
        .sign(VICTIM_KEY, "harmless", new Version(hlc + 1, b.id()), second, victimTenure);
    broadcast(evil, ExtMessages.signedWrite(b.id(), second, Flags.SUB_SM_WRITE, VICTIM_KEY, "tampered", hlc + 1,
        held.epoch(), held.claim(), genuine));
    // 3. an unsigned write, of a key of its own
    broadcast(evil, InternalMessage.create(Flags.MAIN_BROADCAST, m.id(), second,
        Arrays.asList(Flags.SUB_SM_WRITE, Bytes.utf8("unsigned"), "x", hlc, 1L, Hlc.of(second * 1000, 0))));
    // 4. a replay of the victim's first write after its second one, the key re-encoded as str so
    //    that its message id is new (the exact bytes are dropped as seen before, silently)
    SignedWrites.Signed old = new SignedWrites(victimKey, protocolId, id -> false)
        .sign(VICTIM_KEY, "v1", first.version(), first.timestamp(), new Resolution.Tenure(first.epoch(), first.claim()));
    broadcast(evil, InternalMessage.create(Flags.MAIN_BROADCAST, b.id(), first.timestamp(), Arrays.asList(
        Flags.SUB_SM_WRITE, "victim", "v1", first.version().hlc(), (long) first.epoch(),
        first.claim() == null ? 0L : first.claim().hlc(), old.publicKey(), old.signature())));
    // 5. a lease grab: a write of the victim's live key in its epoch, as itself, with its own (later) claim
    Version mine = new Version(Hlc.of(nowMillis, 9), m.id());
    Version myClaim = new Version(Hlc.of((second + 1) * 1000, 0), m.id()); // later than the victim's claim
    SignedWrites.Signed grab = new SignedWrites(evilKey, protocolId, id -> false)
        .sign(VICTIM_KEY, "grabbed", mine, second, new Resolution.Tenure(held.epoch(), myClaim));
    broadcast(evil, ExtMessages.signedWrite(m.id(), second, Flags.SUB_SM_WRITE, VICTIM_KEY, "grabbed", mine.hlc(),
        held.epoch(), myClaim, grab));

    for (SyncSocket n : List.of(a, c)) { // m's peers: each receives all five, and reports each
      Awaitility.await(n + " to report the five").atMost(WAIT).until(() -> n.statusErrors().size() >= 5);
      String errors = String.join("\n", n.statusErrors());
      assertThat(errors).contains("public key does not name its writer " + b.id())
          .contains("signature is not valid")
          .contains("it is unsigned")
          .contains("a replay or a late copy")
          .contains("owned by " + b.id());
      assertThat(n.forgedRemoteWrites()).isEqualTo(3);
      assertThat(n.staleRemoteWrites()).isEqualTo(1);
      assertThat(n.refusedRemoteWrites()).isEqualTo(1);
    }
    // not relayed, but for the lease grab: a record of a tenure of its own, which every node keeps
    // and passes on as evidence (§8.4); the victim, which only a and c link to, hears of nothing else
    Awaitility.await("the victim to hear of the lease grab").atMost(WAIT).until(() -> b.refusedRemoteWrites() == 1);
    assertThat(b.statusErrors()).singleElement().asString().contains("owned by " + b.id());
    assertThat(b.forgedRemoteWrites()).isZero();
    assertThat(b.staleRemoteWrites()).isZero();
    for (SyncSocket n : List.of(a, b, c, m)) {
      assertThat(n.get(VICTIM_KEY)).as("%s", n).contains("v2");
      assertThat(n.snapshot()).as("%s", n).isEqualTo(before);
      assertThat(n.get("unsigned")).isEmpty();
    }
    // and the network still works: an honest write after it all converges
    c.set("after", 1);
    awaitIdentical(List.of(a, b, c, m));
    assertThat(b.get("after")).contains(1L);
  }

  /**
   * A member signs a takeover of another member's live key in the next epoch (§8.4). Every node
   * refuses it (the owner's lease covers its claim), keeps it as evidence, counts it and reports
   * it, naming the taker, so that an operator can deny it; the owner's value stays everywhere.
   */
  @Test
  void anEarlyTakeoverByAMember_isRefusedEverywhere_keptAsEvidence_andReportedByEveryNode() {
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket b = node(NodeIdentity.generate()); // the owner
    SyncSocket m = node(evilKey);
    link(b, a);
    link(m, a);
    b.set(VICTIM_KEY, "owned");
    Store.Entry held = awaitHeldEverywhere(List.of(a, b, m), "owned");
    long grabMillis = System.currentTimeMillis() + 1;
    long second = grabMillis / 1000; // the version's own second: a write is sent at it (§3.1)
    Version mine = new Version(Hlc.of(grabMillis, 0), m.id());
    Resolution.Tenure next = new Resolution.Tenure(held.epoch() + 1, mine);
    SignedWrites.Signed grab = new SignedWrites(evilKey, a.protocol().id(), id -> false)
        .sign(VICTIM_KEY, "taken early", mine, second, next);
    broadcast(m.node(), ExtMessages.signedWrite(m.id(), second, Flags.SUB_SM_WRITE, VICTIM_KEY, "taken early",
        mine.hlc(), next.epoch(), mine, grab));
    for (SyncSocket n : List.of(a, b)) {
      Awaitility.await(n + " to refuse the takeover").atMost(WAIT).until(() -> n.earlyTakeovers() == 1);
      assertThat(n.statusErrors()).anyMatch(e -> e.contains("refused takeover of key \"victim\" by " + m.id())
          && e.contains("the lease of " + b.id() + " holds until"));
      assertThat(n.refusedRemoteWrites()).isEqualTo(1);
    }
    Awaitility.await("the takeover kept as evidence everywhere").atMost(WAIT).until(() ->
        List.of(a, b, m).stream().allMatch(n -> n.wholeState().get(VICTIM_KEY).size() == 2)
            && a.wholeState().equals(b.wholeState()) && a.wholeState().equals(m.wholeState()));
    for (SyncSocket n : List.of(a, b, m)) {
      assertThat(n.get(VICTIM_KEY)).as("%s", n).contains("owned");
      assertThat(n.snapshot().get(VICTIM_KEY)).isEqualTo(held);
    }
  }

  /**
   * An entry equal to a state the node holds is neither checked nor applied (it could change
   * nothing), so anti-entropy's copies of what a node has do not queue checks ahead of live writes:
   * here such a copy carries a signature that would not check, and nothing is reported; an entry
   * that differs is checked as ever.
   */
  @Test
  void antiEntropyEntries_equalToTheHeldState_areNotCheckedAgain() {
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket m = node(evilKey);
    link(m, a);
    m.set("held", "same");
    Awaitility.await().atMost(WAIT).until(() -> a.get("held").isPresent());
    Store.Entry held = a.snapshot().get(Bytes.utf8("held"));
    SignedWrites signer = new SignedWrites(evilKey, a.protocol().id(), id -> false);
    SignedWrites.Signed wrong = signer.sign(Bytes.utf8("held"), "another value", held.version(), held.timestamp(),
        new Resolution.Tenure(held.epoch(), held.claim()));
    Store.Entry changed = new Store.Entry("changed", held.version(), held.timestamp(), held.base(), null, held.epoch(),
        held.claim(), false);
    whisper(m, a.id(), ExtMessages.entries(0, List.of(ExtMessages.entry(Bytes.utf8("held"), held, wrong))));
    whisper(m, a.id(), ExtMessages.entries(0, List.of(ExtMessages.entry(Bytes.utf8("held"), changed, null))));

    // messages are handled in order: once the second's refusal shows, the first was handled
    Awaitility.await().atMost(WAIT).until(() -> a.statusErrors().stream().anyMatch(e -> e.contains("it is unsigned")));
    assertThat(a.statusErrors()).noneMatch(e -> e.contains("signature is not valid")).hasSize(1);
    assertThat(a.forgedRemoteWrites()).isEqualTo(1);
    assertThat(a.get("held")).contains("same");
  }

  @Test
  void antiEntropyEntries_withABadSignature_areRefused_goodOnesInTheSameMessageTaken() {
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate());
    SyncSocket m = node(evilKey);
    link(m, a);
    String protocolId = a.protocol().id();
    SignedWrites signer = new SignedWrites(evilKey, protocolId, id -> false);
    long nowMillis = System.currentTimeMillis();
    long second = nowMillis / 1000;
    Version v = new Version(Hlc.of(nowMillis, 0), m.id());
    Version claim = new Version(Hlc.of(second * 1000, 0), m.id());
    Resolution.Tenure tenure = new Resolution.Tenure(1, claim);
    Store.Entry good = new Store.Entry("good", v, second, v, null, 1, claim, false);
    Store.Entry bad = new Store.Entry("changed", v, second, v, null, 1, claim, false);
    SignedWrites.Signed goodSig = signer.sign(Bytes.utf8("ae-good"), "good", v, second, tenure);
    SignedWrites.Signed badSig = signer.sign(Bytes.utf8("ae-bad"), "original", v, second, tenure);
    List<Object> entries = new ArrayList<>();
    entries.add(ExtMessages.entry(Bytes.utf8("ae-bad"), bad, badSig));
    entries.add(ExtMessages.entry(Bytes.utf8("ae-unsigned"), good, null));
    entries.add(ExtMessages.entry(Bytes.utf8("ae-good"), good, goodSig));
    whisper(m, a.id(), ExtMessages.entries(0, entries));

    Awaitility.await().atMost(WAIT).until(() -> a.get("ae-good").isPresent());
    Awaitility.await().atMost(WAIT).until(() -> a.forgedRemoteWrites() == 2);
    assertThat(a.get("ae-bad")).isEmpty();
    assertThat(a.get("ae-unsigned")).isEmpty();
    assertThat(String.join("\n", a.statusErrors())).contains("anti-entropy entry of key \"ae-bad\"")
        .contains("signature is not valid").contains("anti-entropy entry of key \"ae-unsigned\"");
  }

  @Test
  void aDeniedWriter_isDropped() {
    NodeIdentity deniedKey = NodeIdentity.generate();
    SyncSocket a = net.track(new SyncSocket.Builder().maxOutgoing(0).signedForTests(NodeIdentity.generate())
        .deniedWriters(id -> id.equals(deniedKey.id())).build());
    SyncSocket d = node(deniedKey);
    link(d, a);
    d.set("from-denied", 1);
    Awaitility.await().atMost(WAIT).until(() -> a.forgedRemoteWrites() >= 1);
    assertThat(a.get("from-denied")).isEmpty();
    assertThat(String.join("\n", a.statusErrors())).contains("is denied");
  }

  // ---------------------------------------------------------------- helpers

  private static Store.Entry awaitHeldEverywhere(List<SyncSocket> nodes, Object value) {
    Awaitility.await().atMost(WAIT).until(() -> nodes.stream().allMatch(n -> n.get(VICTIM_KEY).equals(
        java.util.Optional.of(value))));
    return nodes.get(0).snapshot().get(VICTIM_KEY);
  }

  /** Sends a crafted broadcast to every syncmesh peer, as a misbehaving member's node would. */
  private static void broadcast(MeshExtension.Node node, InternalMessage message) {
    node.broadcast(node.frame(message), p -> true);
  }

  private static void whisper(SyncSocket from, String to, List<?> payload) {
    PeerInfo peer = from.routingTable().get(to);
    MeshExtension.Node node = from.node();
    node.execute(() -> node.whisperAll(peer, List.<List<?>>of(payload).iterator()));
  }
}
