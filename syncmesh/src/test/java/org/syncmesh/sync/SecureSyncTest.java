package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A secure network end to end (docs/security.md): members with certificates of one CA, identities
 * kept in data directories or given, writes signed, relayed after their check, and proved again by
 * a restarted node to a member that joins it later.
 */
final class SecureSyncTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;
  private NodeCertificates.Issued ca;
  private Path caFile;

  @BeforeEach
  void authority() throws Exception {
    ca = NodeCertificates.authority("secure sync test", Duration.ofDays(1));
    caFile = dir.resolve("ca.pem");
    Files.writeString(caFile, NodeCertificates.pem(ca.certificate()));
  }

  /** A member's builder: a certificate for {@code id} in its own folder. */
  private SyncSocket.Builder member(String name, String id) throws Exception {
    Path d = Files.createDirectories(dir.resolve("certs-" + name));
    NodeCertificates.write(NodeCertificates.node(ca, id, Duration.ofDays(1)), d.resolve("node.pem"), d.resolve("node.key"));
    return new SyncSocket.Builder().leasing(true).secure(d.resolve("node.pem"), d.resolve("node.key"), caFile);
  }

  /** A durable member: its identity made in its data directory before its first start, as `syncmesh certs node --data` does. */
  private SyncSocket durableMember(String name) throws Exception {
    Path data = dir.resolve("data-" + name);
    NodeIdentity identity = IdentityKeys.ofDataDirectory(data);
    return member(name, identity.id()).dataDirectory(data).build();
  }

  @Test
  void membersConverge_throughARelay_andARestartedNodeProvesItsEntriesToANewMember() throws Exception {
    NodeIdentity bIdentity = NodeIdentity.generate();
    SyncSocket a = durableMember("a");
    SyncSocket b = net.track(member("b", bIdentity.id()).identity(bIdentity).build());
    SyncSocket c = net.track(durableMember("c"));
    String aId = a.id();
    b.connect("127.0.0.1", a.port()).join();
    c.connect("127.0.0.1", b.port()).join();

    a.set("from-a", "hello");
    c.set("from-c", Map.of("n", 1L));
    b.set("gone", "soon");
    await().atMost(WAIT).until(() -> c.get("from-a").isPresent() && a.get("from-c").isPresent()
        && a.get("gone").isPresent() && c.get("gone").isPresent());
    b.del("gone");
    await().atMost(WAIT).until(() -> a.meta("gone").map(MetaTuple::deleted).orElse(false)
        && c.meta("gone").map(MetaTuple::deleted).orElse(false));
    assertThat(c.meta("from-a").orElseThrow().owner()).isEqualTo(aId);
    await().atMost(WAIT).until(() -> a.snapshot().equals(c.snapshot()) && a.snapshot().equals(b.snapshot()));
    assertThat(a.statusErrors()).isEmpty();
    assertThat(b.statusErrors()).isEmpty();
    assertThat(c.statusErrors()).isEmpty();

    Map<Bytes, Store.Entry> before = a.snapshot();
    a.close();
    SyncSocket again = net.track(durableMember("a"));
    assertThat(again.id()).isEqualTo(aId);
    assertThat(again.snapshot()).isEqualTo(before);

    // A new member that meets only the restarted node gets every entry, each proved by its saved signature.
    NodeIdentity dIdentity = NodeIdentity.generate();
    SyncSocket d = net.track(member("d", dIdentity.id()).identity(dIdentity).maxOutgoing(0).build());
    d.connect("127.0.0.1", again.port()).join();
    await().atMost(WAIT).until(() -> d.snapshot().equals(before));
    assertThat(d.statusErrors()).isEmpty();
  }

  /**
   * A durable member's map made by deltas of two members survives a restart with the writes that
   * prove it (docs/data-directory.md §3), and a member that meets only the restarted node takes it.
   */
  @Test
  void aRestartedDurableNode_provesAMapMadeByTwoMembersDeltas() throws Exception {
    Path dataA = dir.resolve("data-da");
    NodeIdentity aIdentity = IdentityKeys.ofDataDirectory(dataA);
    SyncSocket a = member("da", aIdentity.id()).leasing(false).dataDirectory(dataA).build();
    NodeIdentity bIdentity = NodeIdentity.generate();
    SyncSocket b = net.track(member("db", bIdentity.id()).identity(bIdentity).leasing(false).build());
    b.connect("127.0.0.1", a.port()).join();
    a.set("m", Map.of("base", 1L, "x", "a"));
    await().atMost(WAIT).until(() -> b.get("m").isPresent());
    for (int i = 0; i < 5; i++) {
      a.applyDelta("m", Map.of("a" + i, (long) i, "x", "a" + i));
      b.applyDelta("m", Map.of("b" + i, (long) i, "x", "b" + i));
    }
    b.applyDelta("only", Map.of("f", 1L));
    a.applyDelta("only", Map.of("g", 2L));
    await().atMost(WAIT).until(() -> a.snapshot().equals(b.snapshot()) && a.get("only").map(m -> ((Map<?, ?>) m).size() == 2).orElse(false));
    Map<Bytes, Store.Entry> before = a.snapshot();
    await("a's signer to attach its last signatures").atMost(WAIT)
        .until(() -> !SignedWrites.pending(a.proofForTests("m")) && !SignedWrites.pending(a.proofForTests("only")));
    SignedWrites.Proof proof = a.proofForTests("m");
    assertThat(proof).isInstanceOf(SignedWrites.Writes.class);
    a.close();
    b.close();

    SyncSocket again = net.track(member("da", aIdentity.id()).leasing(false).dataDirectory(dataA).build());
    assertThat(again.snapshot()).isEqualTo(before);
    assertThat(again.proofForTests("m")).isEqualTo(proof);
    NodeIdentity dIdentity = NodeIdentity.generate();
    SyncSocket d = net.track(member("dd", dIdentity.id()).identity(dIdentity).leasing(false).maxOutgoing(0).build());
    d.connect("127.0.0.1", again.port()).join();
    await().atMost(WAIT).until(() -> d.snapshot().equals(before));
    assertThat(d.statusErrors()).isEmpty();
    assertThat(d.forgedRemoteWrites()).isZero();
  }

  /**
   * A write saved by a durable member whose process stopped before its signer signed it (held
   * here, as a kill -9 would leave it) is neither sent nor proved; at the next start the node signs
   * it, and a member that meets only the restarted node receives it, proved.
   */
  @Test
  void writesSavedButNeverSigned_areSignedAtTheNextStart_andReachANewMember() throws Exception {
    Path data = dir.resolve("data-held");
    NodeIdentity identity = IdentityKeys.ofDataDirectory(data);
    SyncSocket held = member("held", identity.id()).dataDirectory(data).holdSignaturesForTests().build();
    held.set("k", "v");
    held.applyDelta("m", Map.of("f", 1L));
    held.del("k2"); // nothing to delete: nothing pending
    assertThat(SignedWrites.pending(held.proofForTests("k"))).isTrue();
    assertThat(SignedWrites.pending(held.proofForTests("m"))).isTrue();
    Map<Bytes, Store.Entry> before = held.snapshot();
    held.close();

    SyncSocket again = net.track(member("held", identity.id()).dataDirectory(data).build());
    assertThat(again.snapshot()).isEqualTo(before);
    await("the restarted node to sign what it saved").atMost(WAIT)
        .until(() -> !SignedWrites.pending(again.proofForTests("k")) && !SignedWrites.pending(again.proofForTests("m")));
    NodeIdentity dIdentity = NodeIdentity.generate();
    SyncSocket d = net.track(member("dh", dIdentity.id()).identity(dIdentity).maxOutgoing(0).build());
    d.connect("127.0.0.1", again.port()).join();
    await().atMost(WAIT).until(() -> d.snapshot().equals(before));
    assertThat(d.statusErrors()).isEmpty();
    assertThat(d.forgedRemoteWrites()).isZero();
  }
}
