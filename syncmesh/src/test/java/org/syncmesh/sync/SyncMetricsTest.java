package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
 * {@link SyncMetrics} over real nodes on 127.0.0.1, each bound to its own {@link SimpleMeterRegistry}:
 * the counters move as the scenario says, and only those.
 */
final class SyncMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node(UnaryOperator<SyncSocket.Builder> settings) {
    return net.track(settings.apply(new SyncSocket.Builder().maxOutgoing(0)).build());
  }

  private static MeterRegistry metered(SyncSocket node) {
    MeterRegistry registry = new SimpleMeterRegistry();
    new SyncMetrics(node).bindTo(registry);
    return registry;
  }

  private static void link(SyncSocket from, SyncSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await(to + " to register " + from).atMost(WAIT).until(() -> to.routingTable().containsKey(from.id()));
  }

  private static double counter(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).functionCounter().count();
  }

  private static double gauge(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).gauge().value();
  }

  @Test
  void localAndRemoteWrites_keysTombstones_events_andLinkTraffic_move_andLinkMetersGoWithThePeer() {
    SyncSocket a = node(b -> b);
    SyncSocket b = node(x -> x);
    MeterRegistry ra = metered(a);
    MeterRegistry rb = metered(b);
    b.onUpdate((key, oldValue, newValue) -> { }); // a listener: its events are counted as delivered
    link(b, a);
    await().atMost(WAIT).until(() -> gauge(ra, "syncmesh.peers") == 1 && gauge(rb, "syncmesh.peers") == 1);
    String bShort = PeerInfo.shortId(b.id());
    await("a's link meters for b").atMost(WAIT)
        .until(() -> ra.find("syncmesh.link.bytes").tags("peer", bShort, "direction", "out").functionCounter() != null);
    double outBefore = counter(ra, "syncmesh.link.bytes", "peer", bShort, "direction", "out");
    double framesOutBefore = counter(ra, "syncmesh.link.frames", "peer", bShort, "direction", "out");

    a.set("k1", "v1");
    a.set("k2", "v2");
    a.set("k3", List.of(1, 2, 3));
    a.del("k2");
    await("b to apply a's four writes").atMost(WAIT)
        .until(() -> counter(rb, "syncmesh.writes", "origin", "remote") == 4);

    String aTag = PeerInfo.shortId(a.id());
    assertThat(counter(ra, "syncmesh.writes", "node", aTag, "origin", "local")).isEqualTo(4);
    assertThat(counter(ra, "syncmesh.writes", "origin", "remote")).isZero();
    assertThat(counter(rb, "syncmesh.writes", "origin", "local")).isZero();
    assertThat(gauge(ra, "syncmesh.keys")).isEqualTo(2);
    assertThat(gauge(ra, "syncmesh.tombstones")).isEqualTo(1);
    await().atMost(WAIT).until(() -> gauge(rb, "syncmesh.keys") == 2 && gauge(rb, "syncmesh.tombstones") == 1);
    await("b's update events delivered").atMost(WAIT)
        .until(() -> counter(rb, "syncmesh.events.delivered") >= 3 && gauge(rb, "syncmesh.events.queued") == 0);
    for (String reason : List.of("lease", "clock", "horizon", "limit")) {
      assertThat(counter(rb, "syncmesh.writes.refused", "reason", reason)).as(reason).isZero();
    }

    // a sent four writes to b: at least four more frames, each with its 4-byte header; b received them
    assertThat(counter(ra, "syncmesh.link.frames", "peer", bShort, "direction", "out"))
        .isGreaterThanOrEqualTo(framesOutBefore + 4);
    assertThat(counter(ra, "syncmesh.link.bytes", "peer", bShort, "direction", "out"))
        .isGreaterThanOrEqualTo(outBefore + 4 * 5);
    assertThat(counter(rb, "syncmesh.link.frames", "peer", aTag, "direction", "in")).isGreaterThanOrEqualTo(4);
    Meter.Id linkId = ra.get("syncmesh.link.bytes").tags("peer", bShort, "direction", "out").functionCounter().getId();
    assertThat(linkId.getTag("dialect")).isEqualTo("syncmesh");
    assertThat(linkId.getTag("node")).isEqualTo(aTag);
    assertThat(linkId.getBaseUnit()).isEqualTo("bytes");
    assertThat(ra.get("syncmesh.link.queued").tags("peer", bShort).gauge().value()).isGreaterThanOrEqualTo(0);

    // anti-entropy: the node with the smaller id starts rounds and times them; both see the link in sync
    SyncSocket starter = a.id().compareTo(b.id()) < 0 ? a : b;
    MeterRegistry rs = starter == a ? ra : rb;
    String otherShort = PeerInfo.shortId((starter == a ? b : a).id());
    await("a round timed, and both in sync").atMost(WAIT).until(() ->
        !Double.isNaN(rs.get("syncmesh.link.antientropy.round").tags("peer", otherShort).timeGauge().value())
        && !Double.isNaN(ra.get("syncmesh.link.insync.time").tags("peer", bShort).timeGauge().value())
        && !Double.isNaN(rb.get("syncmesh.link.insync.time").tags("peer", aTag).timeGauge().value()));
    double inSyncAt = ra.get("syncmesh.link.insync.time").tags("peer", bShort).timeGauge().value(TimeUnit.MILLISECONDS);
    assertThat(inSyncAt).isBetween(System.currentTimeMillis() - 60_000.0, System.currentTimeMillis() + 1_000.0);
    assertThat(rs.get("syncmesh.link.antientropy.round").tags("peer", otherShort).timeGauge()
        .value(TimeUnit.MILLISECONDS)).isBetween(0.0, 20_000.0);
    for (String reason : List.of("malformed", "forged", "busy", "stale", "lease", "clock", "horizon", "limit")) {
      assertThat(counter(ra, "syncmesh.link.dropped", "peer", bShort, "reason", reason)).as(reason).isZero();
    }
    // k1 = "v1" and k3 = [1, 2, 3] with their keys, k2's tombstone with its key: more than the bare bytes
    assertThat(gauge(ra, "syncmesh.bytes.held")).isGreaterThanOrEqualTo(3 * 2 + 2 + 3).isLessThan(200);

    b.close(); // gone for good (a disconnect would be redialled)
    await("a's link meters for b removed").atMost(WAIT)
        .until(() -> ra.find("syncmesh.link.bytes").tags("peer", bShort).meters().isEmpty());
    assertThat(gauge(ra, "syncmesh.peers")).isZero();
    assertThat(counter(ra, "syncmesh.writes", "origin", "local")).as("node meters stay").isEqualTo(4);
  }

  @Test
  void aWriteRefusedByALease_countsAsRefusedLease_only() {
    FakeClock clock = new FakeClock(1_700_000_000L);
    SyncSocket a = node(x -> x.clock(clock));
    SyncSocket b = node(x -> x.clock(clock));
    MeterRegistry ra = metered(a);
    // Apart: a claims k, b a second later; when they meet, a refuses b's write by its lease.
    a.set("k", "a's");
    clock.advanceSeconds(1);
    b.set("k", "b's");
    link(b, a);
    await("a to refuse b's write").atMost(WAIT).until(() -> counter(ra, "syncmesh.writes.refused", "reason", "lease") >= 1);
    assertThat(counter(ra, "syncmesh.writes.refused", "reason", "lease")).isEqualTo(a.refusedRemoteWrites());
    for (String reason : List.of("clock", "horizon", "limit")) {
      assertThat(counter(ra, "syncmesh.writes.refused", "reason", reason)).as(reason).isZero();
    }
    assertThat(counter(ra, "syncmesh.writes", "origin", "remote")).as("refused, not applied").isZero();
    assertThat(a.get("k", null)).isEqualTo("a's");
    assertThat(counter(ra, "syncmesh.link.dropped", "peer", PeerInfo.shortId(b.id()), "reason", "lease"))
        .as("counted against the link it came by").isEqualTo(a.refusedRemoteWrites());
  }

  @Test
  void aForgedWriteInASecureNetwork_countsAsDroppedForged_andIsNotAppliedAsRemote() {
    NodeIdentity victimKey = NodeIdentity.generate();
    NodeIdentity evilKey = NodeIdentity.generate();
    UnaryOperator<SyncSocket.Builder> fast = x -> x.antiEntropyInterval(Duration.ofMillis(200));
    SyncSocket a = node(x -> fast.apply(x).signedForTests(NodeIdentity.generate()));
    SyncSocket b = node(x -> fast.apply(x).signedForTests(victimKey));
    SyncSocket m = node(x -> fast.apply(x).signedForTests(evilKey));
    SignedWritesTest.link(b, a);
    SignedWritesTest.link(m, a);
    Bytes key = Bytes.utf8("victim");
    b.set(key, "v1");
    await().atMost(WAIT).until(() -> "v1".equals(a.get(key, null)) && "v1".equals(m.get(key, null)));
    MeterRegistry ra = metered(a);
    double remoteBefore = counter(ra, "syncmesh.writes", "origin", "remote");
    Store.Entry held = a.snapshot().get(key);

    // m sends a write claiming b as its writer, signed with m's own key
    long nowMillis = System.currentTimeMillis();
    long hlc = Hlc.of(nowMillis, 7);
    long second = nowMillis / 1000;
    Resolution.Tenure tenure = held.epoch() == 0 ? Resolution.Tenure.NONE
        : new Resolution.Tenure(held.epoch(), held.claim());
    SignedWrites.Signed forged = new SignedWrites(evilKey, a.protocol().id(), id -> false)
        .sign(key, "evil", new Version(hlc, b.id()), second, tenure);
    MeshExtension.Node evil = m.node();
    evil.broadcast(evil.frame(ExtMessages.signedWrite(b.id(), second, Flags.SUB_SM_WRITE, key, "evil", hlc,
        held.epoch(), held.claim(), forged)), p -> true);

    await("a to drop the forged write").atMost(WAIT)
        .until(() -> counter(ra, "syncmesh.writes.dropped", "reason", "forged") == 1);
    assertThat(counter(ra, "syncmesh.writes.dropped", "reason", "malformed")).isZero();
    assertThat(counter(ra, "syncmesh.writes.dropped", "reason", "busy")).isZero();
    assertThat(counter(ra, "syncmesh.writes", "origin", "remote")).isEqualTo(remoteBefore);
    assertThat(a.get(key, null)).isEqualTo("v1");
    assertThat(counter(ra, "syncmesh.link.dropped", "peer", PeerInfo.shortId(m.id()), "reason", "forged"))
        .as("against the link it came by").isEqualTo(1);
    assertThat(counter(ra, "syncmesh.link.dropped", "peer", PeerInfo.shortId(b.id()), "reason", "forged")).isZero();
  }

  @Test
  void aDialToAClosedPort_andAPeerOfAnotherProtocol_countAsConnectAndHandshakeFailures() throws Exception {
    SyncSocket a = node(x -> x);
    MeterRegistry ra = metered(a);
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(() -> a.connect("127.0.0.1", closedPort).orTimeout(10, TimeUnit.SECONDS).join())
        .isInstanceOf(java.util.concurrent.CompletionException.class);
    assertThat(counter(ra, "syncmesh.connect.failures", "reason", "refused")).isGreaterThanOrEqualTo(1);
    assertThat(counter(ra, "syncmesh.connect.failures", "reason", "timeout")).isZero();

    SyncSocket other = node(x -> x.protocol(new org.syncmesh.Protocol("another-subnet", a.protocol().transport())));
    assertThatThrownBy(() -> other.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .hasMessageContaining("protocol mismatch");
    await("a to count the mismatch").atMost(WAIT)
        .until(() -> counter(ra, "syncmesh.handshake.failures", "reason", "protocol") >= 1);
    for (String reason : List.of("tls", "malformed", "id_conflict", "denied", "not_member", "other")) {
      assertThat(counter(ra, "syncmesh.handshake.failures", "reason", reason)).as(reason).isZero();
    }
    assertThat(gauge(ra, "syncmesh.peers")).isZero();
  }

  @Test
  void aPeerOnTheDenyList_countsAsAHandshakeFailure_denied(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    SyncSocket denied = node(x -> x);
    java.nio.file.Path list = dir.resolve("deny.txt");
    java.nio.file.Files.writeString(list, denied.id() + "\n");
    SyncSocket a = node(x -> x.denyList(list));
    MeterRegistry ra = metered(a);
    denied.connect("127.0.0.1", a.port());
    await("a to refuse the denied peer").atMost(WAIT)
        .until(() -> counter(ra, "syncmesh.handshake.failures", "reason", "denied") >= 1);
    assertThat(counter(ra, "syncmesh.handshake.failures", "reason", "not_member")).isZero();
    assertThat(a.routingTable()).doesNotContainKey(denied.id());
  }

  @Test
  void nullArguments_areRefused_andNothingIsRegistered() {
    SyncSocket a = node(x -> x);
    assertThatThrownBy(() -> new SyncMetrics(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("socket");
    assertThatThrownBy(() -> new SyncMetrics(a).bindTo(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("registry");
    MeterRegistry r = new SimpleMeterRegistry();
    new SyncMetrics(a).bindTo(r);
    assertThat(r.getMeters()).allSatisfy(m -> assertThat(m.getId().getName()).startsWith("syncmesh."))
        .allSatisfy(m -> assertThat(m.getId().getTag("node")).isEqualTo(PeerInfo.shortId(a.id())));
    assertThat(r.find("syncmesh.keys").gauge()).isNotNull();
    assertThat(r.find("syncmesh.writes.dropped").functionCounters()).hasSize(4);
    assertThat(r.find("syncmesh.writes.refused").functionCounters()).hasSize(4);
    assertThat(r.find("syncmesh.link.bytes").meters()).as("no peers, no link meters").isEmpty();
  }
}
