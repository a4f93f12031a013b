package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Deletes as tombstones: kept for the grace period, then collected; what a node that was away
 * longer than the grace brings back, and what a 0.7 peer's stale copy does afterwards.
 */
final class TombstoneTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Bytes K = Bytes.utf8("k");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void aDelete_leavesATombstone_thatMetaShows_andKeysDoNot() {
    StoreTest.Recorder effects = new StoreTest.Recorder();
    LocalStore store = new LocalStore("Mmmm", true, effects);
    store.set(K, "v");
    store.set(K, null);
    assertThat(store.live(K)).isNull();
    assertThat(store.size()).isZero();
    assertThat(store.store().tombstones()).isEqualTo(1);
    MetaTuple meta = store.entry(K).meta();
    assertThat(meta.deleted()).isTrue();
    assertThat(meta.owner()).isEqualTo("Mmmm");
    assertThat(meta.version()).isNotNull();
    assertThat(effects.events).containsExactly("update k=v by Mmmm@" + effects.now, "delete k");
  }

  @Test
  void aStaleCopy_cannotUndoADelete_beforeOrAfterTheTombstoneIsCollected() {
    StoreTest.Recorder effects = new StoreTest.Recorder();
    LocalStore store = new LocalStore("Mmmm", false, effects);
    long written = effects.now;
    store.remoteStore(K, "v", new MetaTuple("Aaaa", written), false, false, "Aaaa");
    effects.now += 10;
    store.set(K, null);
    // A js2p peer that missed the delete re-offers its copy in an initial sync: the tombstone is newer.
    store.remoteStore(K, "v", new MetaTuple("Aaaa", written), false, true, "Aaaa");
    assertThat(store.live(K)).isNull();
    effects.now += 25 * 3600; // past the 24 h grace
    assertThat(store.store().collectTombstones(Duration.ofHours(24).toMillis())).isEqualTo(1);
    assertThat(store.entry(K)).isNull();
    assertThat(store.store().tombstones()).isZero();
    // After collection the same stale copy is older than the horizon: refused, and said so.
    store.remoteStore(K, "v", new MetaTuple("Aaaa", written), false, true, "Aaaa");
    assertThat(store.entry(K)).isNull();
    assertThat(effects.dropped).anySatisfy(d -> assertThat(d).contains("older than the deletes this node has already forgotten"));
    // A write made after the horizon is a new write, and stands.
    store.remoteStore(K, "new", new MetaTuple("Aaaa", effects.now), false, false, "Aaaa");
    assertThat(store.live(K).value()).isEqualTo("new");
  }

  @Test
  void aNodeAwayLongerThanTheGrace_dropsWhatTheNetworkDeleted_andKeepsWhatItWroteSince() {
    FakeClock clock = new FakeClock(1_700_000_000L);
    SyncSocket a = node(clock);
    SyncSocket b = node(clock);
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    b.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    a.set("kept", 1);
    a.set("gone", 2);
    await().atMost(WAIT).until(() -> b.size() == 2);

    proxy.partition();
    await("the link to drop").atMost(WAIT).until(() -> a.routingTable().isEmpty() && b.routingTable().isEmpty());
    a.del("gone");
    clock.advanceSeconds(2 * 60);
    b.set("recent", 3); // b's own write while away, after a's delete
    clock.advanceSeconds(60); // now "gone"'s tombstone is 3 min old: past a's 2 min grace, not "recent"
    await("a to collect its tombstone").atMost(WAIT).until(() -> a.tombstones() == 0);
    assertThat(a.meta("gone")).isEmpty();

    proxy.heal();
    await("both to hold the same state").atMost(WAIT).until(() -> a.snapshot().equals(b.snapshot()));
    assertThat(b.containsKey("gone")).isFalse();
    assertThat(a.get("recent", null)).isEqualTo(3L);
    assertThat(a.get("kept", null)).isEqualTo(1L);
    assertThat(b.statusErrors()).anySatisfy(s -> assertThat(s).startsWith("dropped key \"gone\"")
        .contains("does not hold it and has forgotten deletes"));
  }

  @Test
  void twoNodesAwayTogetherLongerThanTheGrace_bothDropWhatTheNetworkDeleted() {
    // c —proxy— a — b: a and b stay linked to each other, away from c, for longer than the grace.
    FakeClock clock = new FakeClock(1_700_000_000L);
    SyncSocket c = node(clock);
    SyncSocket a = node(clock);
    SyncSocket b = node(clock);
    FaultProxy proxy = net.track(new FaultProxy(c.port()));
    a.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    c.set("gone", 1);
    c.set("kept", 2);
    await().atMost(WAIT).until(() -> b.size() == 2 && a.size() == 2);

    proxy.partition();
    await("c to be cut off").atMost(WAIT).until(() -> c.routingTable().isEmpty());
    c.del("gone");
    clock.advanceSeconds(2 * 60);
    a.set("meanwhile", 3);
    clock.advanceSeconds(60);
    await("c to collect its tombstone").atMost(WAIT).until(() -> c.tombstones() == 0);

    proxy.heal();
    await("all three to hold the same state").atMost(WAIT)
        .until(() -> a.snapshot().equals(c.snapshot()) && b.snapshot().equals(c.snapshot()));
    assertThat(b.containsKey("gone")).isFalse();
    assertThat(c.get("meanwhile", null)).isEqualTo(3L);
    assertThat(b.get("kept", null)).isEqualTo(2L);
  }

  @Test
  void aFreshNode_joiningANodeThatHasForgottenDeletes_stillGetsItsOldKeys() {
    FakeClock clock = new FakeClock(1_700_000_000L);
    SyncSocket a = node(clock);
    a.set("old", 1);
    a.set("gone", 2);
    a.del("gone");
    clock.advanceSeconds(3 * 60);
    await("a to collect its tombstone").atMost(WAIT).until(() -> a.tombstones() == 0);
    for (int i = 0; i < 2; i++) { // the joiner starts the round, or a does: ids decide, so try both ways
      SyncSocket fresh = node(clock);
      fresh.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
      await("the joiner to get the old key").atMost(WAIT).until(() -> Long.valueOf(1).equals(fresh.get("old", null)));
      assertThat(fresh.snapshot()).isEqualTo(a.snapshot());
      assertThat(fresh.statusErrors()).isEmpty();
    }
  }

  private SyncSocket node(FakeClock clock) {
    return net.track(new SyncSocket.Builder().clock(clock).leasing(false).maxOutgoing(0)
        .tombstoneGrace(Duration.ofMinutes(2)).antiEntropyInterval(Duration.ofMillis(100))
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(200)).build());
  }
}
