package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.Version;
import org.syncmesh.wire.InternalMessage;

/** The store without a network: local and remote writes, leases, events, drops. */
final class StoreTest {

  private static final String ME = "Mmmm";
  private static final String PEER_SMALL = "Aaaa";
  private static final String PEER_LARGE = "Zzzz";
  private static final Bytes K = Bytes.utf8("k");

  private final Recorder effects = new Recorder();
  private final LocalStore leased = new LocalStore(ME, true, effects);

  static final class Recorder implements Store.Effects {
    long now = 1_700_000_000L;
    final List<InternalMessage> sent = new ArrayList<>();
    final List<InternalMessage> sentExt = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();

    @Override public long nowMillis() { return now * 1000; }
    /** As if a js2p or py2p peer were linked, so that local writes make their 0.7 forms too. */
    @Override public boolean hasPlainPeers() { return true; }
    @Override public void publish(org.syncmesh.net.OutboundFrame ext,
        java.util.function.Supplier<org.syncmesh.net.OutboundFrame> plain) {
      sentExt.add(ext.message());
      if (plain != null) {
        sent.add(plain.get().message());
      }
    }
    @Override public void updated(Bytes key, Store.Entry state) {
      Object value = state.value();
      MetaTuple meta = state.meta();
      events.add("update " + key.utf8() + "=" + value + " by " + meta.owner() + "@" + meta.timestamp());
    }
    @Override public void deleted(Bytes key, Store.Entry tombstone) { events.add("delete " + key.utf8()); }
    @Override public void dropped(String why) { dropped.add(why); }
  }

  @Test
  void localSet_storesBroadcastsBinKeyAndFiresUpdate() {
    leased.set(K, 42);
    Store.Entry e = leased.entry(K);
    assertThat(e.value()).isEqualTo(42L); // the wire's decoded form, as peers see it
    assertThat(e.meta()).isEqualTo(new MetaTuple(ME, effects.now, e.version(), false));
    assertThat(e.version().writer()).isEqualTo(ME);
    assertThat(effects.sentExt).singleElement().satisfies(m -> assertThat(m.payload())
        .containsExactly((long) org.syncmesh.wire.Flags.SUB_SM_WRITE, K, 42L, e.version().hlc(), 1L, e.version().hlc()));
    assertThat(effects.sent).hasSize(1);
    assertThat(effects.sent.get(0).payload()).containsExactly(11L, K, 42L);
    assertThat(effects.events).containsExactly("update k=42 by Mmmm@" + effects.now);
  }

  @Test
  void claimsOfOneWriterInOneSecond_areOneObject() {
    // A bulk load claims thousands of keys within a second; a claim each was 24 bytes a key.
    leased.set(Bytes.utf8("a"), 1);
    leased.set(Bytes.utf8("b"), 2);
    assertThat(leased.entry(Bytes.utf8("b")).claim()).isSameAs(leased.entry(Bytes.utf8("a")).claim());

    // An initial sync brings keys in hash order: claims of two seconds, interleaved.
    List<String> keys = List.of("c", "d", "e", "f");
    for (int i = 0; i < keys.size(); i++) { // each decoded with its own strings and claim
      long second = effects.now + 1 + i % 2;
      String writer = new String(PEER_LARGE.toCharArray());
      Version v = new Version(org.syncmesh.Hlc.of(second * 1000 + i, 0), writer);
      leased.remote(Bytes.utf8(keys.get(i)), new Store.Entry("v", v, second, v, null, 1,
          new Version(org.syncmesh.Hlc.of(second * 1000, 0), writer), false), PEER_LARGE);
    }
    Store.Entry c = leased.entry(Bytes.utf8("c"));
    Store.Entry d = leased.entry(Bytes.utf8("d"));
    assertThat(leased.entry(Bytes.utf8("e")).claim()).isSameAs(c.claim())
        .isEqualTo(new Version(org.syncmesh.Hlc.of((effects.now + 1) * 1000, 0), PEER_LARGE));
    assertThat(leased.entry(Bytes.utf8("f")).claim()).isSameAs(d.claim())
        .isEqualTo(new Version(org.syncmesh.Hlc.of((effects.now + 2) * 1000, 0), PEER_LARGE));
    assertThat(d.claim().writer()).isSameAs(c.claim().writer()).isSameAs(d.version().writer());

    effects.now += 3;
    leased.set(Bytes.utf8("g"), 3);
    assertThat(leased.entry(Bytes.utf8("g")).claim())
        .isEqualTo(new Version(org.syncmesh.Hlc.of(effects.now * 1000, 0), ME))
        .isNotEqualTo(leased.entry(Bytes.utf8("a")).claim());
  }

  @Test
  void writesDecodedForTheStore_areStoredAsDecoded_sharingWriterAndClaim() {
    // Each arriving write brings its own sender String and claim; decoded with the store's shared
    // ids, the entry keeps what all the other entries of that writer use, and is not built twice.
    long second = effects.now;
    List<Store.Entry> decoded = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String sender = new String(PEER_LARGE.toCharArray());
      long hlc = org.syncmesh.Hlc.of(second * 1000 + i, 0);
      List<Object> payload = java.util.Arrays.asList((long) org.syncmesh.wire.Flags.SUB_SM_WRITE,
          Bytes.utf8("k" + i), "v" + i, hlc, 1L, org.syncmesh.Hlc.of(second * 1000, 0));
      Store.Entry entry = ExtMessages.readWrite(sender, second, payload, leased.store().ids()).entry();
      leased.remote(Bytes.utf8("k" + i), entry, PEER_LARGE);
      decoded.add(entry);
    }
    for (int i = 0; i < 3; i++) {
      Store.Entry stored = leased.entry(Bytes.utf8("k" + i));
      assertThat(stored).isSameAs(decoded.get(i));
      assertThat(stored.version().writer()).isSameAs(decoded.get(0).version().writer()).isEqualTo(PEER_LARGE);
      assertThat(stored.claim()).isSameAs(decoded.get(0).claim());
    }
    // Without sharing, each decode keeps its own objects: what the store then interns.
    Store.Entry alone = ExtMessages.readWrite(new String(PEER_LARGE.toCharArray()), second, java.util.Arrays.asList(
        (long) org.syncmesh.wire.Flags.SUB_SM_WRITE, Bytes.utf8("k9"), "v", org.syncmesh.Hlc.of(second * 1000 + 9, 0),
        1L, org.syncmesh.Hlc.of(second * 1000, 0))).entry();
    assertThat(alone.claim()).isNotSameAs(decoded.get(0).claim()).isEqualTo(decoded.get(0).claim());
    leased.remote(Bytes.utf8("k9"), alone, PEER_LARGE);
    assertThat(leased.entry(Bytes.utf8("k9")).claim()).isSameAs(decoded.get(0).claim());
    assertThat(leased.entry(Bytes.utf8("k9")).version().writer()).isSameAs(decoded.get(0).version().writer());
  }

  @Test
  void localSet_unencodableValue_throwsBeforeAnyEffect() {
    assertThatThrownBy(() -> leased.set(K, Map.of("when", java.time.Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("value[\"when\"]: cannot encode java.time.Instant");
    assertThat(leased.size()).isZero();
    assertThat(effects.sent).isEmpty();
    assertThat(effects.events).isEmpty();
  }

  @Test
  void localSet_onLeasedKey_throwsLeaseExceptionNamingKeyOwnerAndEnd() {
    leased.remoteStore(K, "theirs", new MetaTuple(PEER_LARGE, effects.now - 10), false, false, PEER_LARGE);
    effects.sent.clear();
    assertThatThrownBy(() -> leased.set(K, "mine"))
        .isInstanceOf(LeaseException.class)
        .hasMessageContaining("\"k\"")
        .hasMessageContaining(PEER_LARGE)
        .hasMessageContaining("leased until " + java.time.Instant.ofEpochSecond(effects.now - 10 + 3600))
        .satisfies(t -> assertThat(((LeaseException) t).owner()).isEqualTo(PEER_LARGE));
    assertThat(leased.entry(K).value()).isEqualTo("theirs");
    assertThat(effects.sent).isEmpty();
  }

  @Test
  void localSet_afterLeaseExpiry_isAllowed() {
    leased.remoteStore(K, "theirs", new MetaTuple(PEER_LARGE, effects.now), false, false, PEER_LARGE);
    effects.now += 3600;
    assertThatThrownBy(() -> leased.set(K, "mine")).isInstanceOf(LeaseException.class);
    effects.now += 1;
    leased.set(K, "mine");
    assertThat(leased.entry(K).meta().owner()).isEqualTo(ME);
  }

  @Test
  void remoteStore_refused_isDroppedCountedAndReported() {
    leased.set(K, "mine");
    leased.remoteStore(K, "theirs", new MetaTuple(PEER_LARGE, effects.now + 5), false, false, PEER_LARGE);
    assertThat(leased.entry(K).value()).isEqualTo("mine");
    assertThat(leased.refusedRemote()).isEqualTo(1);
    assertThat(effects.dropped).singleElement().asString()
        .startsWith("refused remote store of key \"k\" from " + PEER_LARGE)
        .contains("owned by " + ME).contains("leased until");
  }

  @Test
  void remoteStore_sameSecondByAnotherOwner_isRefusedWhileTheLeaseHolds() {
    // 0.7's same-second tie rule (the smaller id wins) would let two nodes disagree on who holds
    // a key; versions make the earlier claim hold it, whatever the ids.
    leased.set(K, "mine");
    leased.remoteStore(K, "small", new MetaTuple(PEER_SMALL, effects.now), false, false, PEER_SMALL);
    assertThat(leased.entry(K).value()).isEqualTo("mine");
    assertThat(leased.refusedRemote()).isEqualTo(1);
  }

  @Test
  void remoteNil_deletesAndFiresDelete_nilForAbsentKeyIsIgnored() {
    leased.remoteStore(K, "v", new MetaTuple(PEER_LARGE, effects.now), true, false, PEER_LARGE);
    leased.remoteStore(K, null, new MetaTuple(PEER_LARGE, effects.now), true, false, PEER_LARGE);
    assertThat(leased.live(K)).isNull();
    assertThat(leased.entry(K).meta()).satisfies(m -> {
      assertThat(m.deleted()).isTrue();
      assertThat(m.owner()).isEqualTo(PEER_LARGE);
    });
    leased.remoteStore(K, null, new MetaTuple(PEER_LARGE, effects.now), true, false, PEER_LARGE);
    assertThat(effects.events).containsExactly("update k=v by Zzzz@" + effects.now, "delete k");
    assertThat(effects.dropped).isEmpty();
  }

  @Test
  void dump_forHeldKey_isIgnoredEvenForFalsyValues() {
    for (Object falsy : List.of(0L, "", false)) {
      Bytes key = Bytes.utf8("falsy-" + falsy);
      leased.set(key, falsy);
      leased.remoteStore(key, "stale", new MetaTuple(PEER_SMALL, 1), false, true, PEER_SMALL);
      assertThat(leased.entry(key).value()).isEqualTo(falsy);
      assertThat(leased.entry(key).meta().owner()).isEqualTo(ME);
    }
    assertThat(effects.dropped).isEmpty();
  }

  @Test
  void dump_ofAValueFromBeforeItsDelete_leavesTheTombstone_whileALaterSecondClaimsTheKey() {
    leased.set(K, "v");
    leased.set(K, null);
    Store.Entry tombstone = leased.entry(K);
    // A js2p peer never heard of the delete and gives the old write back in its initial sync.
    leased.remoteStore(K, "v", new MetaTuple(ME, effects.now), false, true, PEER_LARGE);
    assertThat(leased.entry(K)).isEqualTo(tombstone);
    leased.remoteStore(K, "v", new MetaTuple(ME, effects.now), false, false, PEER_LARGE); // or as a store
    assertThat(leased.entry(K)).isEqualTo(tombstone);
    assertThat(effects.events).containsExactly("update k=v by Mmmm@" + effects.now, "delete k");
    assertThat(effects.dropped).isEmpty();

    effects.now += 1; // a 0.7 write of a later second is a new write: it claims the deleted key
    leased.remoteStore(K, "again", new MetaTuple(PEER_LARGE, effects.now), false, false, PEER_LARGE);
    assertThat(leased.entry(K).value()).isEqualTo("again");
    assertThat(leased.entry(K).epoch()).isEqualTo(tombstone.epoch() + 1);
  }

  @Test
  void dump_forAbsentKey_takesClaimedOwnerAndTimestamp() {
    leased.remoteStore(K, "v", new MetaTuple(PEER_SMALL, 12345), true, true, PEER_LARGE);
    assertThat(leased.entry(K).meta().owner()).isEqualTo(PEER_SMALL);
    assertThat(leased.entry(K).meta().timestamp()).isEqualTo(12345);
    assertThat(leased.entry(K).version()).isEqualTo(Store.derived(12345, PEER_SMALL, K, "v"));
    assertThat(leased.entry(K).ownerBin()).isTrue();
  }

  @Test
  void localDelta_mergesShallowlyTakesLeaseAndBroadcasts() {
    Map<Object, Object> merged = leased.delta(K, Map.of("a", 1));
    assertThat(merged).containsExactly(Map.entry("a", 1L));
    merged = leased.delta(K, Map.of("b", List.of(2)));
    assertThat(merged).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", List.of(2L)));
    assertThat(effects.sent).hasSize(2);
    assertThat(effects.sent.get(1).payload()).containsExactly(17L, K, Map.of("b", List.of(2L)));
  }

  @Test
  void localDelta_onNonMap_throwsBeforeAnyEffect() {
    leased.set(K, "text");
    effects.sent.clear();
    assertThatThrownBy(() -> leased.delta(K, Map.of("a", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot apply a delta to key \"k\": it holds a String");
    assertThat(effects.sent).isEmpty();
  }

  @Test
  void remoteDelta_onNonMap_isDroppedAndCounted() {
    leased.set(K, "text");
    leased.remoteDelta(K, Map.of("a", 1L), new MetaTuple(ME, effects.now), false, PEER_LARGE);
    assertThat(leased.entry(K).value()).isEqualTo("text");
    assertThat(leased.droppedRemote()).isEqualTo(1);
    assertThat(effects.dropped).singleElement().asString().contains("not a map");
  }

  @Test
  void remoteDelta_newerThanTheStore_mergesItsFields_olderIsSuperseded() {
    LocalStore open = new LocalStore(ME, false, effects);
    open.set(K, Map.of("mine", 1));
    open.remoteDelta(K, Map.of("old", 2L), new MetaTuple(PEER_LARGE, effects.now - 100), false, PEER_LARGE);
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) open.entry(K).value()).keySet())).containsOnly("mine"); // the store came after it
    open.remoteDelta(K, Map.of("theirs", 2L), new MetaTuple(PEER_LARGE, effects.now + 10), false, PEER_LARGE);
    assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) open.entry(K).value()).keySet())).containsOnly("mine", "theirs");
    assertThat(open.entry(K).meta().owner()).isEqualTo(PEER_LARGE);
    assertThat(open.entry(K).meta().timestamp()).isEqualTo(effects.now + 10);
    assertThat(open.entry(K).fields()).containsOnlyKeys("theirs");
  }

  @Test
  void setAll_isAllOrNothingUnderLeases() {
    Bytes free = Bytes.utf8("free");
    leased.remoteStore(K, "theirs", new MetaTuple(PEER_SMALL, effects.now), false, false, PEER_SMALL);
    Map<Bytes, Object> batch = new LinkedHashMap<>();
    batch.put(free, 1);
    batch.put(K, 2);
    assertThatThrownBy(() -> leased.setAll(batch)).isInstanceOf(LeaseException.class);
    assertThat(leased.entry(free)).isNull();
    assertThat(effects.sent).isEmpty();
  }

  @Test
  void popAny_skipsKeysLeasedByOthers() {
    leased.remoteStore(Bytes.utf8("theirs"), 1L, new MetaTuple(PEER_SMALL, effects.now), false, false, PEER_SMALL);
    leased.set(Bytes.utf8("mine"), 2);
    assertThat(leased.popAny()).isEqualTo(Map.entry(Bytes.utf8("mine"), 2L));
    assertThatThrownBy(leased::popAny).isInstanceOf(LeaseException.class);
    leased.remoteStore(Bytes.utf8("theirs"), null, new MetaTuple(PEER_SMALL, effects.now), false, false, PEER_SMALL);
    assertThat(leased.popAny()).isNull();
  }

  @Test
  void remoteWritesOfOneWriter_shareOneStringOfItsId() {
    LocalStore open = new LocalStore(ME, false, effects);
    for (String key : List.of("a", "b")) {
      String writer = new String(PEER_LARGE.toCharArray()); // a decoded message's own copy
      open.remote(Bytes.utf8(key), Store.deltaEntry(Map.of("f", 1L),
          new org.syncmesh.Version(effects.now * 1000L << 16, writer), effects.now, Resolution.Tenure.NONE, false),
          writer);
    }
    assertThat(open.entry(Bytes.utf8("b")).version()).isEqualTo(open.entry(Bytes.utf8("a")).version());
    assertThat(open.entry(Bytes.utf8("b")).owner()).isSameAs(open.entry(Bytes.utf8("a")).owner());
  }
}
