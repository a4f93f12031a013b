package org.syncmesh.sync;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.Packets;

/**
 * Two stores, A and B, and their anti-entropy, linked in memory for unit tests: every whisper goes
 * through msgpack and is delivered in order, one at a time, until none is left. Not thread-safe:
 * the test's thread does everything.
 */
final class AntiEntropyPair {

  final StoreTest.Recorder fxA = new StoreTest.Recorder();
  final StoreTest.Recorder fxB = new StoreTest.Recorder();
  final LocalStore a = new LocalStore("Aaaa", false, fxA);
  final LocalStore b = new LocalStore("Bbbb", false, fxB);
  final Side sideA;
  final Side sideB;
  private final Deque<Runnable> wire = new ArrayDeque<>();

  AntiEntropyPair(StoreLimits limits) {
    sideA = new Side("Aaaa", fxA, a, limits);
    sideB = new Side("Bbbb", fxB, b, limits);
  }

  /** The default limits with anti-entropy rounds {@code interval} apart. */
  static StoreLimits everyInterval(Duration interval) {
    StoreLimits d = StoreLimits.DEFAULTS;
    return new StoreLimits(d.maxEntries(), d.tombstoneGrace(), interval, d.maxRoundsPerSecond());
  }

  /**
   * Waits until {@code store} has not changed for 2 ms, longer than an interval of 1 ms: a store
   * that changed within the last interval is busy, and answers a round with done alone.
   */
  static void awaitQuietFor2Ms(LocalStore store) {
    long changed = store.store().lastChangeNanos();
    Awaitility.await("the store unchanged for longer than the 1 ms interval")
        .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
        .until(() -> System.nanoTime() - changed > 2_000_000);
  }

  /** A starts a round with B; every message goes across until none is left. */
  void round() {
    round(delivered -> {});
  }

  /**
   * A starts a round with B; the messages go across one at a time, and {@code between} runs
   * before each with the count of those delivered so far (a write made while the round is under way).
   */
  void round(java.util.function.IntConsumer between) {
    sideA.ae.start(sideB.info);
    for (int delivered = 0; !wire.isEmpty(); delivered++) {
      between.accept(delivered);
      wire.poll().run();
    }
  }

  /** One node: its store, its anti-entropy, and a node that whispers to the other side. */
  final class Side implements MeshExtension.Node {
    final String id;
    final StoreTest.Recorder fx;
    final PeerInfo info;
    final AntiEntropy ae;

    Side(String id, StoreTest.Recorder fx, LocalStore store, StoreLimits limits) {
      this.id = id;
      this.fx = fx;
      this.info = new PeerInfo(id, "127.0.0.1", 1, false, Dialect.SYNCMESH, 1);
      this.ae = new AntiEntropy(this, store.store(), limits);
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
