package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;

/** {@link SyncMap}: codecs, undecodable entries, listeners and subscriptions, async writes, two nodes at once. */
final class SyncMapTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node() {
    return net.track(Cluster.fast(true).build());
  }

  private static void link(SyncSocket from, SyncSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await(to + " to register " + from).atMost(WAIT).until(() -> to.routingTable().containsKey(from.id()));
  }

  // ---------------------------------------------------------------- codecs

  @Test
  void everyCodec_roundTripsValues_hereAndOnAPeer() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    roundTrip(a, b, Codecs.string(), "ünïcødé ✓", "");
    roundTrip(a, b, Codecs.bytes(), Bytes.of(new byte[] {0, (byte) 0xff, 7}), Bytes.of(new byte[0]));
    roundTrip(a, b, Codecs.longs(), Long.MIN_VALUE, 0L);
    roundTrip(a, b, Codecs.integers(), Integer.MAX_VALUE, -1);
    roundTrip(a, b, Codecs.msgpack(), Map.of("n", List.of(1L, "two", 3.5, true)), Bytes.utf8("raw"));
    roundTrip(a, b, Codecs.json(), "{\"n\":[1,\"two\",3.5,true,null],\"raw\":{\"$bin\":\"AAE=\"}}", "\"text\"");
    Codec<java.time.Instant> instants = Codec.of("instant", i -> i.toString(), s -> java.time.Instant.parse((String) s));
    roundTrip(a, b, instants, java.time.Instant.parse("2026-12-06T10:00:00.123Z"), java.time.Instant.EPOCH);

    SyncMap<String, byte[]> arrays = a.map(Codecs.string(), Codecs.byteArray());
    byte[] written = {1, 2, 3};
    arrays.put("array", written);
    written[0] = 9; // the map stored a copy
    SyncMap<String, byte[]> there = b.map(Codecs.string(), Codecs.byteArray());
    await("the array on b").atMost(WAIT).until(() -> there.containsKey("array"));
    assertThat(there.get("array")).containsExactly(1, 2, 3);
    assertThat(arrays.remove("array", new byte[] {1, 2, 3})).as("compared by content, not identity").isTrue();
    await("the delete on b").atMost(WAIT).until(() -> !there.containsKey("array"));
  }

  /**
   * Codecs.json(): a JSON document is stored as the tree it denotes, so the untyped view (and a
   * js2p or py2p peer) reads a map, and a tree written by another program reads back as compact
   * JSON; JSON null and bad JSON are refused before anything is stored.
   */
  @Test
  void jsonCodec_storesTheTree_andReadsAnyTreeBackAsJson() {
    SyncSocket a = node();
    SyncMap<String, String> docs = a.map(Codecs.string(), Codecs.json());
    docs.put("doc", " { \"a\" : [1, 2.5], \"b\": {\"$bin\": \"AAE=\"} } ");
    assertThat(a.get("doc")).contains(Map.of("a", List.of(1L, 2.5), "b", Bytes.of(new byte[] {0, 1})));
    assertThat(docs.get("doc")).isEqualTo("{\"a\":[1,2.5],\"b\":{\"$bin\":\"AAE=\"}}");
    a.set("written elsewhere", List.of("x", Map.of("k", true)));
    assertThat(docs.get("written elsewhere")).isEqualTo("[\"x\",{\"k\":true}]");
    assertThatThrownBy(() -> docs.put("null", "null")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON null");
    assertThatThrownBy(() -> docs.put("bad", "{\"a\":1,\"a\":2}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate key");
    assertThat(a.get("null")).isEmpty();
    assertThat(a.get("bad")).isEmpty();
  }

  private static <T> void roundTrip(SyncSocket a, SyncSocket b, Codec<T> codec, T first, T second) {
    SyncMap<byte[], T> here = a.map(Codecs.byteArray(), codec);
    SyncMap<byte[], T> there = b.map(Codecs.byteArray(), codec);
    byte[] k1 = (codec.name() + "/1").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] k2 = (codec.name() + "/2").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    here.put(k1, first);
    here.put(k2, second);
    assertThat(here.get(k1)).as(codec.name() + " here").isEqualTo(first);
    await(codec.name() + " on the peer").atMost(WAIT).until(() -> there.containsKey(k2) && there.containsKey(k1));
    assertThat(there.get(k1)).as(codec.name() + " on the peer").isEqualTo(first);
    assertThat(there.get(k2)).as(codec.name() + " on the peer").isEqualTo(second);
  }

  @Test
  void keysReadBackAsWritten() {
    SyncSocket a = node();
    SyncMap<String, Long> m = a.map(Codecs.string(), Codecs.longs());
    m.put("über", 1L);
    m.put("", 2L);
    assertThat(m.keySet()).containsExactlyInAnyOrder("über", "");
    assertThat(m).containsEntry("über", 1L);
    assertThat(a.keys()).as("the socket's own view").contains(Bytes.utf8("über"));
  }

  @Test
  void badArguments_throwBeforeAnythingIsStored() {
    SyncSocket a = node();
    SyncMap<String, Object> m = a.map(Codecs.string(), Codecs.msgpack());
    assertThatThrownBy(() -> m.put("k", new Object())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.put("k", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> m.put(null, "v")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> m.putAsync("k", new Object())).isInstanceOf(IllegalArgumentException.class);
    SyncMap<String, Object> badKeys = a.map(Codec.of("number", s -> 7, o -> "7"), Codecs.msgpack());
    assertThatThrownBy(() -> badKeys.put("k", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key codec number");
    assertThatThrownBy(() -> m.put("\uD800", 1)).as("an unpaired surrogate has no UTF-8 form")
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("key codec");
    assertThat(a.size()).isZero();
  }

  // ---------------------------------------------------------------- undecodable entries

  @Test
  void undecodableEntries_areSkippedWithAnEvent_andGetNamesKeyAndCodec() {
    SyncSocket a = node();
    a.set("text", "hello");
    a.set("number", 42);                                  // another program's value
    a.set(new byte[] {(byte) 0xff, 0x00}, "bad key");     // a key that is not UTF-8
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    List<UndecodableEntryException> errors = new CopyOnWriteArrayList<>();
    m.onDecodeError(errors::add);

    assertThat(new HashMap<>(m)).isEqualTo(Map.of("text", "hello"));
    assertThat(m.size()).isEqualTo(1);
    assertThat(m.keySet()).containsExactly("text");
    await("two decode errors reported").atMost(WAIT).until(() -> errors.size() >= 2);
    assertThat(errors).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo(Bytes.utf8("number"));
      assertThat(e.inKey()).isFalse();
      assertThat(e.codec()).isEqualTo("string");
    }).anySatisfy(e -> assertThat(e.inKey()).isTrue());
    assertThat(m.undecodableEntries()).isGreaterThanOrEqualTo(2);

    assertThatThrownBy(() -> m.get("number")).isInstanceOf(UndecodableEntryException.class)
        .hasMessageContaining("\"number\"").hasMessageContaining("codec string").hasMessageContaining("Long");
    assertThatThrownBy(() -> m.put("number", "x")).isInstanceOf(UndecodableEntryException.class);
    assertThatThrownBy(() -> m.putAsync("number", "x").join()).hasCauseInstanceOf(UndecodableEntryException.class);
    assertThat(a.get("number", null)).as("nothing changed").isEqualTo(42L);
    assertThat(m.containsKey("number")).isTrue();
    assertThat(m.putIfAbsent("text", "other")).isEqualTo("hello");
  }

  // ---------------------------------------------------------------- listeners

  @Test
  void onUpdate_carriesTheOldValue_andOnDeleteTheRemovedOne() {
    SyncSocket a = node();
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    List<String> events = new CopyOnWriteArrayList<>();
    m.onUpdate((k, old, now) -> events.add(k + ":" + old + "->" + now));
    m.onDelete((k, old) -> events.add(k + ":" + old + "->deleted"));
    List<String> raw = new CopyOnWriteArrayList<>();
    a.onUpdate((k, old, now) -> raw.add(k.utf8() + ":" + old + "->" + now));
    m.put("k", "1");
    m.put("k", "2");
    m.remove("k");
    m.put("k", "3");
    a.set("n", 5);
    await("events").atMost(WAIT).until(() -> events.size() == 4 && raw.size() == 4);
    assertThat(events).containsExactly("k:null->1", "k:1->2", "k:2->deleted", "k:null->3");
    assertThat(raw).containsExactly("k:null->1", "k:1->2", "k:null->3", "n:null->5");
  }

  @Test
  void onUpdate_onAPeer_carriesTheOldValueOfRemoteWrites() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    SyncMap<String, String> there = b.map(Codecs.string(), Codecs.string());
    List<String> events = new CopyOnWriteArrayList<>();
    there.onUpdate((k, old, now) -> events.add(k + ":" + old + "->" + now));
    there.onDelete((k, old) -> events.add(k + ":" + old + "->deleted"));
    SyncMap<String, String> here = a.map(Codecs.string(), Codecs.string());
    for (String v : List.of("1", "2", "3")) {
      here.put("k", v);
      await("b to hold " + v).atMost(WAIT).until(() -> v.equals(there.get("k")));
    }
    here.remove("k");
    await("the delete on b").atMost(WAIT).until(() -> events.size() == 4);
    assertThat(events).containsExactly("k:null->1", "k:1->2", "k:2->3", "k:3->deleted");
  }

  @Test
  void listeners_addedAndClosedInsideCallbacks() {
    SyncSocket a = node();
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    AtomicReference<Subscription> self = new AtomicReference<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    self.set(m.onUpdate((k, old, now) -> {
      first.add(now);
      self.get().close();                   // closes itself from its own callback
      self.get().close();                   // idempotent
      m.onUpdate((k2, old2, now2) -> second.add(now2)); // and adds another
      subscribed.countDown();
    }));
    m.put("k", "1");
    await("the first event").atMost(WAIT).until(() -> subscribed.getCount() == 0);
    m.put("k", "2");
    m.put("k", "3");
    await("the new listener's events").atMost(WAIT).until(() -> second.size() == 2);
    assertThat(first).containsExactly("1");
    assertThat(second).containsExactly("2", "3");
  }

  @Test
  void closedSubscription_hearsNothingMore_evenOfQueuedEvents() throws Exception {
    SyncSocket a = node();
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    List<String> heard = new CopyOnWriteArrayList<>();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Subscription late = m.onUpdate((k, old, now) -> heard.add(now));
    Subscription blocker = m.onUpdate((k, old, now) -> { // holds the callback thread while events queue up
      inside.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    m.put("k", "1");
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
    m.put("k", "2");            // late's event is queued behind the blocked one
    late.close();
    release.countDown();
    blocker.close();
    List<String> after = new CopyOnWriteArrayList<>();
    m.onUpdate((k, old, now) -> after.add(now));
    m.put("k", "3");
    await("a later listener's event").atMost(WAIT).until(() -> after.contains("3"));
    assertThat(heard).containsExactly("1");
  }

  @Test
  void syncListener_keepsWorking_besideTheFunctionalOnes() {
    SyncSocket a = node();
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    a.addListener(new SyncListener() {
      @Override
      public void onUpdate(SyncSocket socket, Bytes key, Object value, MetaTuple meta) {
        heard.add("update " + key.utf8() + "=" + value);
      }

      @Override
      public void onDelete(SyncSocket socket, Bytes key) {
        heard.add("delete " + key.utf8());
      }
    });
    a.map(Codecs.string(), Codecs.longs()).put("n", 1L);
    a.del("n");
    await("both events").atMost(WAIT).until(() -> heard.size() == 2);
    assertThat(heard).containsExactly("update n=1", "delete n");
  }

  // ---------------------------------------------------------------- async writes

  @Test
  void putAsync_andRemoveAsync_completeWithThePreviousValue() {
    SyncSocket a = node();
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    assertThat(m.putAsync("k", "1").orTimeout(10, TimeUnit.SECONDS).join()).isNull();
    assertThat(m.putAsync("k", "2").orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("1");
    assertThat(m.removeAsync("k").orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("2");
    assertThat(m.removeAsync("k").orTimeout(10, TimeUnit.SECONDS).join()).isNull();
    assertThat(m).isEmpty();
  }

  @Test
  void merge_fromManyThreads_losesNoIncrement() throws Exception {
    SyncSocket a = node();
    SyncMap<String, Long> counts = a.map(Codecs.string(), Codecs.longs());
    inParallel(4, t -> {
      for (int i = 0; i < 250; i++) {
        counts.merge("n", 1L, Long::sum);
      }
    });
    assertThat(counts.get("n")).isEqualTo(1000L);
  }

  @Test
  void putAndPutAsync_fromManyThreads_formOneChainOfPreviousValues() throws Exception {
    SyncSocket a = node();
    SyncMap<String, String> m = a.map(Codecs.string(), Codecs.string());
    List<String> previous = new CopyOnWriteArrayList<>();
    inParallel(4, t -> {
      for (int i = 0; i < 200; i++) {
        String value = t + "/" + i;
        previous.add(String.valueOf(t % 2 == 0 ? m.put("k", value)
            : m.putAsync("k", value).orTimeout(10, TimeUnit.SECONDS).join()));
      }
    });
    // every put replaced exactly one value: the first found none, each other one a distinct earlier put's
    List<String> expected = new ArrayList<>();
    expected.add("null");
    for (int t = 0; t < 4; t++) {
      for (int i = 0; i < 200; i++) {
        expected.add(t + "/" + i);
      }
    }
    List<String> seen = new ArrayList<>(previous);
    seen.add(m.get("k"));
    assertThat(seen).containsExactlyInAnyOrderElementsOf(expected);
  }

  private interface Worker {
    void run(int thread) throws Exception;
  }

  private static void inParallel(int threads, Worker worker) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          worker.run(thread);
          return null;
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void writesOnADurableNode_surviveARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path data = dir.resolve("node");
    try (SyncSocket first = new SyncSocket.Builder().dataDirectory(data).build()) {
      SyncMap<String, Long> m = first.map(Codecs.string(), Codecs.longs());
      m.put("put", 1L);
      m.putIfAbsent("absent", 2L);
      m.merge("put", 10L, Long::sum);
      m.putAsync("async", 3L).orTimeout(10, TimeUnit.SECONDS).join(); // completes once saved
      m.put("gone", 4L);
      m.remove("gone", 4L);
    }
    try (SyncSocket again = new SyncSocket.Builder().dataDirectory(data).build()) {
      assertThat(new HashMap<>(again.map(Codecs.string(), Codecs.longs())))
          .isEqualTo(Map.of("put", 11L, "absent", 2L, "async", 3L));
    }
  }

  // ---------------------------------------------------------------- two nodes at once

  @Test
  void concurrentPutIfAbsent_onTwoNodes_convergesToOneValue_withLeasing() throws Exception {
    concurrentPutIfAbsent(true);
  }

  @Test
  void concurrentPutIfAbsent_onTwoNodes_convergesToOneValue_withoutLeasing() throws Exception {
    concurrentPutIfAbsent(false);
  }

  private void concurrentPutIfAbsent(boolean leasing) throws Exception {
    SyncSocket a = net.track(Cluster.fast(leasing).build());
    SyncSocket b = net.track(Cluster.fast(leasing).build());
    link(b, a);
    SyncMap<String, String> ma = a.map(Codecs.string(), Codecs.string());
    SyncMap<String, String> mb = b.map(Codecs.string(), Codecs.string());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    int bothWon = 0;
    try {
      for (int round = 0; round < 20; round++) {
        String key = "race/" + round;
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<String> fromA = CompletableFuture.supplyAsync(() -> putAfter(go, ma, key, "a"), pool);
        CompletableFuture<String> fromB = CompletableFuture.supplyAsync(() -> putAfter(go, mb, key, "b"), pool);
        go.countDown();
        String ra = fromA.get(10, TimeUnit.SECONDS);
        String rb = fromB.get(10, TimeUnit.SECONDS);
        // each either won (null) or saw the other's value, never its own or a third
        assertThat(ra).as("a's result, round %d", round).isIn(null, "b");
        assertThat(rb).as("b's result, round %d", round).isIn(null, "a");
        assertThat(ra == null || rb == null).as("someone won, round %d", round).isTrue();
        bothWon += ra == null && rb == null ? 1 : 0;
        await("both nodes to agree on " + key).atMost(WAIT)
            .until(() -> ma.get(key) != null && ma.get(key).equals(mb.get(key))
                && a.meta(key).equals(b.meta(key)));
        assertThat(ma.get(key)).isIn("a", "b");
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("putIfAbsent races where both nodes believed they won: " + bothWon + " of 20");
  }

  private static String putAfter(CountDownLatch go, SyncMap<String, String> m, String key, String value) {
    try {
      go.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return m.putIfAbsent(key, value);
  }
}
