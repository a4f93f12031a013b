package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.MessageTooLargeException;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Checks before effects: a write that cannot be sent (over the frame cap, unencodable, after
 * close) throws before anything is stored, sent or announced, through every write method; and
 * the asynchronous forms do what the synchronous ones do without waiting.
 */
final class WriteChecksTest {

  private static final int CAP = 64 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node() {
    return net.track(new SyncSocket.Builder().maxFrameBytes(CAP).maxOutgoing(0).build());
  }

  private static void link(SyncSocket from, SyncSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> to.routingTable().containsKey(from.id()));
  }

  /** A marker written after a refused write: once the peer holds it, the refused one would be there too. */
  private static void assertPeerGotNothingBefore(SyncSocket writer, SyncSocket peer, String marker) {
    writer.set(marker, 1);
    await(peer + " to hold " + marker).atMost(WAIT).until(() -> peer.containsKey(marker));
    assertThat(peer.keys()).containsExactly(Bytes.utf8(marker));
    assertThat(writer.keys()).containsExactly(Bytes.utf8(marker));
    assertThat(writer.status()).isEqualTo("Nominal");
    assertThat(peer.status()).isEqualTo("Nominal");
  }

  @Test
  void oversizedValues_throughEveryWriteMethod_throwBeforeAnyEffect() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.addListener(new SyncListener() {
      @Override
      public void onUpdate(SyncSocket s, Bytes key, Object value, MetaTuple meta) {
        events.add(key.utf8());
      }
    });
    String big = "x".repeat(CAP);
    Map<String, Object> both = new LinkedHashMap<>();
    both.put("small", 1);
    both.put("big", big);

    List<Consumer<SyncSocket>> writes = List.of(
        s -> s.set("big", big),
        s -> s.update(both),
        s -> s.applyDelta("big", Map.of("f", big)),
        s -> s.setAsync("big", big),
        s -> s.updateAsync(both),
        s -> s.applyDeltaAsync("big", Map.of("f", big)));
    for (Consumer<SyncSocket> write : writes) {
      assertThatThrownBy(() -> write.accept(a))
          .isInstanceOf(MessageTooLargeException.class)
          .hasMessageContaining("value of key \"big\"")
          .hasMessageContaining("over the frame cap of " + CAP + " bytes")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("xxxxxxxx"));
    }
    assertThat(events).isEmpty();
    assertPeerGotNothingBefore(a, b, "marker");
  }

  @Test
  void aDeltaThatWouldGrowTheMapPastTheCap_isRefusedAndTheMapKeptAsItWas() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    String half = "y".repeat(CAP / 2);
    a.applyDelta("m", Map.of("one", half));
    assertThatThrownBy(() -> a.applyDelta("m", Map.of("two", half)))
        .isInstanceOf(MessageTooLargeException.class).hasMessageContaining("value of key \"m\"");
    assertThat(a.get("m", null)).isEqualTo(Map.of("one", half));
    a.set("marker", 1);
    await().atMost(WAIT).until(() -> b.containsKey("marker"));
    assertThat(b.get("m", null)).isEqualTo(Map.of("one", half));
    assertThat(b.meta("m")).isEqualTo(a.meta("m"));
  }

  @Test
  void unencodableValues_throughEveryWriteMethod_throwBeforeAnyEffect() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    Map<String, Object> instant = Map.of("when", Instant.EPOCH);
    Map<String, Object> mixed = new LinkedHashMap<>();
    mixed.put("fine", 1);
    mixed.put("bad", instant);
    List<Consumer<SyncSocket>> writes = List.of(
        s -> s.set("bad", instant),
        s -> s.update(mixed),
        s -> s.applyDelta("bad", instant),
        s -> s.setAsync("bad", instant));
    for (Consumer<SyncSocket> write : writes) {
      assertThatThrownBy(() -> write.accept(a)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot encode java.time.Instant");
    }
    assertPeerGotNothingBefore(a, b, "marker");
  }

  @Test
  void aValueJustUnderTheCap_reachesALateJoinerThroughTheInitialSync() {
    SyncSocket a = node();
    int length = CAP;
    String value = null;
    while (value == null) {
      String candidate = "z".repeat(length);
      try {
        a.set("big", candidate);
        value = candidate;
      } catch (MessageTooLargeException tooLarge) {
        length -= 16;
      }
    }
    // Room is kept for what an anti-entropy entry adds (LocalWrites.INITIAL_SYNC_OVERHEAD).
    assertThat(length).as("the largest value accepted").isGreaterThan(CAP - 320);
    SyncSocket joiner = node();
    link(joiner, a);
    String expected = value;
    await("the joiner to receive the largest value").atMost(WAIT).until(() -> expected.equals(joiner.get("big", null)));
    assertThat(joiner.meta("big")).isEqualTo(a.meta("big"));
    assertThat(a.status()).isEqualTo("Nominal");
    assertThat(joiner.status()).isEqualTo("Nominal");
  }

  @Test
  void writesAfterClose_throwIllegalStateException() {
    SyncSocket a = node();
    a.close();
    assertThatThrownBy(() -> a.set("k", 1)).isInstanceOf(IllegalStateException.class).hasMessage("socket is closed");
    assertThatThrownBy(() -> a.applyDelta("k", Map.of("f", 1))).isInstanceOf(IllegalStateException.class);
    assertThat(a.setAsync("k", 1)).failsWithin(WAIT).withThrowableThat().havingCause()
        .isInstanceOf(IllegalStateException.class);
    assertThat(a.size()).isZero();
  }

  @Test
  void asyncWrites_applyInOrder_andReachPeers() {
    SyncSocket a = node();
    SyncSocket b = node();
    link(b, a);
    CompletableFuture<Void> set = a.setAsync("k", "v1");
    CompletableFuture<Map<Object, Object>> delta = a.applyDeltaAsync("m", Map.of("f", 1));
    CompletableFuture<Void> update = a.updateAsync(Map.of("k", "v2", "other", 2));
    CompletableFuture<Boolean> del = a.delAsync("other");
    CompletableFuture.allOf(set, delta, update, del).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(delta.join()).isEqualTo(Map.of("f", 1L));
    assertThat(del.join()).isTrue();
    assertThat(a.delAsync("absent").join()).isFalse();
    await().atMost(WAIT).until(() -> "v2".equals(b.get("k", null)) && b.containsKey("m") && !b.containsKey("other"));
    assertThat(b.items()).isEqualTo(a.items());
  }

  @Test
  void asyncWrite_refusedByALease_failsItsFuture() {
    FakeClock clock = new FakeClock(1_700_000_000L);
    SyncSocket a = net.track(new SyncSocket.Builder().clock(clock).maxOutgoing(0).build());
    SyncSocket b = net.track(new SyncSocket.Builder().clock(clock).maxOutgoing(0).build());
    link(b, a);
    a.set("k", "mine");
    await().atMost(WAIT).until(() -> b.containsKey("k"));
    clock.advanceSeconds(1); // not the same second, where the smaller id would win the tie
    assertThat(b.setAsync("k", "theirs")).failsWithin(WAIT).withThrowableThat().havingCause()
        .isInstanceOf(LeaseException.class);
    assertThatThrownBy(() -> b.set("k", "theirs")).isInstanceOf(LeaseException.class);
  }

  @Test
  void asyncWrites_neverWait_andAreRefusedWhileTheSendQueueIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch held = new CountDownLatch(1);
    // Callbacks run where they are fired, so a mesh listener that waits holds a's protocol thread.
    SyncSocket a = net.track(new SyncSocket.Builder().maxFrameBytes(CAP).maxOutgoing(0)
        .callbackExecutor(Runnable::run).build());
    SyncSocket b = node();
    a.addListener(new org.syncmesh.mesh.MeshListener() {
      @Override
      public void onPeerConnected(org.syncmesh.mesh.MeshSocket socket, org.syncmesh.mesh.PeerInfo peer) {
        held.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    b.connect("127.0.0.1", a.port());
    assertThat(held.await(10, TimeUnit.SECONDS)).as("a's protocol thread held").isTrue();
    String value = "w".repeat(32 * 1024);
    RejectedExecutionException refused = null;
    int accepted = 0;
    try {
      for (int i = 0; i < 10_000 && refused == null; i++) {
        CompletableFuture<Void> f = a.setAsync("k" + i, value);
        assertThat(f).as("an async write never waits: done or refused at once").isDone();
        if (f.isCompletedExceptionally()) {
          try {
            f.join();
          } catch (CompletionException e) {
            refused = (RejectedExecutionException) e.getCause();
          }
        } else {
          accepted++;
        }
      }
    } finally {
      release.countDown();
    }
    assertThat(refused).as("a refusal once the send queue is full").isNotNull()
        .hasMessageContaining("send queue is full");
    assertThat(accepted).as("writes taken before the refusal").isBetween(100, 10_000);
    int taken = accepted;
    assertThat(a.size()).isEqualTo(taken);
    await("b to receive every accepted write once a's protocol thread runs again").atMost(WAIT)
        .until(() -> b.size() == taken);
  }
}
