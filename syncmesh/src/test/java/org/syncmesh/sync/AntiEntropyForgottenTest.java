package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.Packets;

/**
 * A node back after longer than the tombstone grace (docs/extension-v1.md §4.3): its writes older
 * than a peer's horizon that the peer lacks are dropped, when the peer holds something. Two
 * stores and their anti-entropy, linked in memory: every whisper goes through msgpack and is
 * delivered in order, one at a time, until none is left.
 */
final class AntiEntropyForgottenTest {

  private static final long GRACE_MILLIS = 86_400_000L;
  private static final Bytes OLD = Bytes.utf8("old");
  private static final Bytes DELETED = Bytes.utf8("deleted");
  private static final Bytes RECENT = Bytes.utf8("recent");

  private final StoreTest.Recorder fxA = new StoreTest.Recorder();
  private final StoreTest.Recorder fxB = new StoreTest.Recorder();
  private final LocalStore a = new LocalStore("Aaaa", false, fxA);
  private final LocalStore b = new LocalStore("Bbbb", false, fxB);
  private final Deque<Runnable> wire = new ArrayDeque<>();
  private final Side sideA = new Side("Aaaa", fxA, a);
  private final Side sideB = new Side("Bbbb", fxB, b);

  /** A wrote OLD long ago and was away; B deleted another key and has forgotten that delete since. */
  private void awayLongerThanTheGrace() {
    long t0 = fxA.now;
    a.set(OLD, "from before");
    fxB.now = t0 + 10;
    b.set(DELETED, "x");
    b.set(DELETED, null);
    fxA.now = fxB.now = t0 + GRACE_MILLIS / 1000 + 100;
    assertThat(b.store().collectTombstones(GRACE_MILLIS)).isEqualTo(1);
    assertThat(b.store().horizonMillis()).isGreaterThan(a.entry(OLD).version().hlc() >>> 16);
  }

  @Test
  void aForgottenWriteIsDropped_whenThePeerHoldsSomething() {
    awayLongerThanTheGrace();
    b.set(RECENT, "new");
    round();
    assertThat(a.live(OLD)).isNull();
    assertThat(a.entry(OLD)).satisfies(forgotten -> { // a tombstone at the value's own version, collected at once
      assertThat(forgotten.deleted()).isTrue();
      assertThat(a.store().collectTombstones(GRACE_MILLIS)).isEqualTo(1);
    });
    assertThat(a.entry(OLD)).isNull();
    assertThat(fxA.events).contains("delete old");
    assertThat(fxA.dropped).anySatisfy(s -> assertThat(s).startsWith("dropped key \"old\""));
    assertThat(a.entry(RECENT).value()).isEqualTo("new");
    assertThat(b.entry(OLD)).isNull();
  }

  @Test
  void aForgottenWriteIsDropped_alsoWhenThePeerHoldsNothing() {
    awayLongerThanTheGrace();
    round();
    round();
    assertThat(a.live(OLD)).as("the two stores end alike").isNull();
    a.store().collectTombstones(GRACE_MILLIS);
    assertThat(a.entry(OLD)).isNull();
    assertThat(fxB.dropped).as("B refuses OLD in every round").hasSizeLessThanOrEqualTo(1);
  }

  private void round() {
    sideA.ae.start(sideB.info);
    while (!wire.isEmpty()) {
      wire.poll().run();
    }
  }

  /** One node: its store, its anti-entropy, and a node that whispers to the other side. */
  private final class Side implements MeshExtension.Node {
    final String id;
    final StoreTest.Recorder fx;
    final PeerInfo info;
    final AntiEntropy ae;

    Side(String id, StoreTest.Recorder fx, LocalStore store) {
      this.id = id;
      this.fx = fx;
      this.info = new PeerInfo(id, "127.0.0.1", 1, false, Dialect.SYNCMESH, 1);
      this.ae = new AntiEntropy(this, store.store(), StoreLimits.DEFAULTS);
    }

    private Side other() {
      return this == sideA ? sideB : sideA;
    }

    @Override public String id() { return id; }
    @Override public long nowSeconds() { return fx.now; }
    @Override public long nowMillis() { return fx.nowMillis(); }
    @Override public java.util.Collection<PeerInfo> peers() { return List.of(other().info); }
    @Override public void serially(Runnable step) { step.run(); }
    @Override public void execute(Runnable task) { task.run(); }
    @Override public void callback(Runnable task) { task.run(); }
    @Override public void reportError(String error) { fx.dropped(error); }
    @Override public boolean isClosed() { return false; }

    @Override
    @SuppressWarnings("unchecked")
    public void whisperAll(PeerInfo peer, Iterator<? extends List<?>> payloads) {
      Side to = other();
      List<List<@Nullable Object>> wired = new ArrayList<>();
      payloads.forEachRemaining(p -> wired.add((List<@Nullable Object>) Packets.decode(Packets.encode(p))));
      for (List<@Nullable Object> p : wired) {
        wire.add(() -> to.ae.onMessage(info, p));
      }
    }

    @Override public OutboundFrame frame(InternalMessage message) { throw new UnsupportedOperationException(); }
    @Override public int maxFrameBytes() { throw new UnsupportedOperationException(); }
    @Override public <T> CompletableFuture<T> submit(Supplier<T> task) { throw new UnsupportedOperationException(); }
    @Override public <T> CompletableFuture<T> trySubmit(Supplier<T> task) { throw new UnsupportedOperationException(); }
    @Override public void broadcast(OutboundFrame frame, Predicate<PeerInfo> to) {}
    @Override public void broadcastIfNew(OutboundFrame frame, Predicate<PeerInfo> to) {}
    @Override public AutoCloseable every(java.time.Duration period, Runnable task) { return () -> {}; }
  }
}
