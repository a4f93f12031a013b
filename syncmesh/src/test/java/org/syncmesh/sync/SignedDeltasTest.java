package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

/**
 * Signed deltas (docs/extension-v1.md §8.5), with the test hook that turns signed writes on over
 * plaintext links: deltas of several members to one map converge, a joiner gets the merged map by
 * anti-entropy with the writes that prove it, and a tampered proof is refused.
 */
final class SignedDeltasTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(NodeIdentity identity, boolean leasing) {
    return net.track(new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).antiEntropyInterval(Duration.ofMillis(200))
        .signedForTests(identity).build());
  }

  private static void assertClean(List<SyncSocket> nodes) {
    for (SyncSocket n : nodes) {
      assertThat(n.statusErrors()).as("%s", n).isEmpty();
      assertThat(n.forgedRemoteWrites()).as("%s", n).isZero();
    }
  }

  @Test
  void deltasOfTwoMembersToOneMap_convergeOnThreeNodes_andALateJoinerGetsTheProvedMapByAntiEntropy() {
    SyncSocket a = node(NodeIdentity.generate(), false);
    SyncSocket b = node(NodeIdentity.generate(), false);
    SyncSocket c = node(NodeIdentity.generate(), false);
    SignedWritesTest.link(b, a);
    SignedWritesTest.link(c, b);
    a.set("m", Map.of("base", 0L, "x", "a's"));
    Awaitility.await().atMost(WAIT).until(() -> c.get("m").isPresent());
    for (int i = 0; i < 20; i++) {
      a.applyDelta("m", Map.of("a" + i, (long) i, "x", "a" + i));
      c.applyDelta("m", Map.of("c" + i, (long) i, "x", "c" + i));
      b.applyDelta("only-deltas", Map.of("b" + (i % 5), (long) i));
      c.applyDelta("only-deltas", Map.of("c", (long) i));
    }
    SignedWritesTest.awaitIdentical(List.of(a, b, c));
    @SuppressWarnings("unchecked")
    Map<Object, Object> m = (Map<Object, Object>) a.get("m").orElseThrow();
    assertThat(m).containsEntry("base", 0L).containsEntry("a19", 19L).containsEntry("c19", 19L).hasSize(42);
    for (SyncSocket n : List.of(a, b, c)) {
      assertThat(n.proofForTests("m")).as("%s", n).isInstanceOf(SignedWrites.Writes.class);
      SignedWrites.Writes ws = (SignedWrites.Writes) n.proofForTests("m");
      assertThat(ws.writes().get(0).sub()).isEqualTo(Flags.SUB_SM_WRITE); // the base store, then contributing deltas
      assertThat(ws.writes().size()).isLessThanOrEqualTo(41);
      assertThat(n.proofForTests("only-deltas")).as("%s", n).isInstanceOf(SignedWrites.Writes.class);
      // b wrote b0..b4 four times each: only the last delta of each field still contributes
      assertThat(((SignedWrites.Writes) n.proofForTests("only-deltas")).writes()).hasSize(6);
    }
    // a store drops the deltas: one signature again
    b.set("only-deltas", Map.of("reset", true));
    a.applyDelta("m", Map.of("after", "store"));
    SignedWritesTest.awaitIdentical(List.of(a, b, c));
    assertThat(c.proofForTests("only-deltas")).isInstanceOf(SignedWrites.Signed.class);

    SyncSocket d = node(NodeIdentity.generate(), false); // joins late: the maps come by anti-entropy, proved
    SignedWritesTest.link(d, c);
    SignedWritesTest.awaitIdentical(List.of(a, b, c, d));
    assertThat(d.proofForTests("m")).isEqualTo(a.proofForTests("m"));
    assertClean(List.of(a, b, c, d));
  }

  @Test
  void deltasOnALeasingNetwork_byTheOwner_areSignedAndProved() {
    SyncSocket a = node(NodeIdentity.generate(), true);
    SyncSocket b = node(NodeIdentity.generate(), true);
    SignedWritesTest.link(b, a);
    a.applyDelta("m", Map.of("f", 1L));
    a.applyDelta("m", Map.of("g", 2L));
    a.set("s", Map.of("k", 0L));
    a.applyDelta("s", Map.of("k", 1L, "l", 2L));
    SignedWritesTest.awaitIdentical(List.of(a, b));
    SyncSocket c = node(NodeIdentity.generate(), true);
    SignedWritesTest.link(c, b);
    SignedWritesTest.awaitIdentical(List.of(a, b, c));
    assertThat(c.get("s")).contains(Map.of("k", 1L, "l", 2L));
    assertClean(List.of(a, b, c));
  }

  @Test
  void anAntiEntropyEntry_withATamperedContributingDelta_orAWrongReplay_isRefused() {
    NodeIdentity evilKey = NodeIdentity.generate();
    NodeIdentity honestKey = NodeIdentity.generate();
    SyncSocket a = node(NodeIdentity.generate(), false);
    SyncSocket m = node(evilKey, false);
    SignedWritesTest.link(m, a);
    String protocolId = a.protocol().id();
    SignedWrites evil = new SignedWrites(evilKey, protocolId, id -> false);
    SignedWrites honest = new SignedWrites(honestKey, protocolId, id -> false);
    long now = System.currentTimeMillis();
    long second = now / 1000;
    String honestId = honestKey.id();
    Version v1 = new Version(Hlc.of(now, 1), honestId);
    Version v2 = new Version(Hlc.of(now, 2), m.id());
    Map<Object, Object> d1 = Map.of("f", 1L);
    Map<Object, Object> d2 = Map.of("g", 2L);
    SignedWrites.Write w1 = write(honest, "tampered", d1, v1, second);
    SignedWrites.Write w2 = write(evil, "tampered", d2, v2, second);
    SignedWrites.Write w1good = write(honest, "good", d1, v1, second);
    SignedWrites.Write w2good = write(evil, "good", d2, v2, second);
    Store.Entry merged = Resolution.merge(Store.deltaEntry(d1, v1, second, Resolution.Tenure.NONE, false),
        Store.deltaEntry(d2, v2, second, Resolution.Tenure.NONE, false), false);

    // 1. the honest member's delta changed after it signed it (f: 1 -> 666), the state to match
    Map<Object, Object> changed = new LinkedHashMap<>(Map.of("f", 666L));
    SignedWrites.Write w1changed = new SignedWrites.Write(w1.sub(), changed, w1.version(), w1.timestamp(), 0, 0L,
        w1.publicKey(), w1.signature());
    Map<Object, Object> tamperedValue = new LinkedHashMap<>(Map.of("f", 666L, "g", 2L));
    Store.Entry tampered = new Store.Entry(tamperedValue, merged.version(), merged.timestamp(), null, merged.fields(),
        0, null, false);
    // 2. genuine writes with a state they do not make (a field's value changed)
    Store.Entry lie = new Store.Entry(new LinkedHashMap<>(Map.of("f", 1L, "g", 3L)), merged.version(),
        merged.timestamp(), null, merged.fields(), 0, null, false);
    // 3. a contributing delta left out
    List<Object> entries = new ArrayList<>();
    entries.add(ExtMessages.entry(Bytes.utf8("tampered"), tampered,
        new SignedWrites.Writes(List.of(w1changed, w2))));
    entries.add(ExtMessages.entry(Bytes.utf8("lie"), lie, new SignedWrites.Writes(List.of(
        write(honest, "lie", d1, v1, second), write(evil, "lie", d2, v2, second)))));
    entries.add(ExtMessages.entry(Bytes.utf8("missing"), merged, new SignedWrites.Writes(List.of(
        write(evil, "missing", d2, v2, second)))));
    entries.add(ExtMessages.entry(Bytes.utf8("good"), merged, new SignedWrites.Writes(List.of(w1good, w2good))));
    whisper(m, a.id(), ExtMessages.entries(0, entries));

    Awaitility.await().atMost(WAIT).until(() -> a.get("good").isPresent());
    Awaitility.await().atMost(WAIT).until(() -> a.forgedRemoteWrites() == 3);
    assertThat(a.get("good")).contains(Map.of("f", 1L, "g", 2L));
    assertThat(a.get("tampered")).isEmpty();
    assertThat(a.get("lie")).isEmpty();
    assertThat(a.get("missing")).isEmpty();
    String errors = String.join("\n", a.statusErrors());
    assertThat(errors).contains("anti-entropy entry of key \"tampered\"").contains("signature is not valid")
        .contains("anti-entropy entry of key \"lie\"").contains("make another state")
        .contains("anti-entropy entry of key \"missing\"").contains("not exactly those that make it");
  }

  static SignedWrites.Write write(SignedWrites signer, String key, Map<Object, Object> delta, Version v, long second) {
    SignedWrites.Signed s = signer.sign(Flags.SUB_SM_DELTA, Bytes.utf8(key), delta, v, second, Resolution.Tenure.NONE);
    return new SignedWrites.Write(Flags.SUB_SM_DELTA, delta, v, second, 0, 0L, s.publicKey(), s.signature());
  }

  private static void whisper(SyncSocket from, String to, List<?> payload) {
    PeerInfo peer = from.routingTable().get(to);
    MeshExtension.Node node = from.node();
    node.execute(() -> node.whisperAll(peer, List.<List<?>>of(payload).iterator()));
  }
}
