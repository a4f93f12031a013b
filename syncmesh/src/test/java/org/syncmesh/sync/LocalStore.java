package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;

/**
 * A {@link Store} without a network, for unit tests: local writes are prepared and applied in
 * the test's thread, as the sync socket does on its two threads, and remote ones go straight in.
 */
final class LocalStore {

  private final Store store;
  private final LocalWrites writes;
  private final HybridClock clock;

  LocalStore(String selfId, boolean leasing, Store.Effects effects) {
    this(selfId, leasing, effects, FrameCodec.DEFAULT_MAX_FRAME_BYTES);
  }

  LocalStore(String selfId, boolean leasing, Store.Effects effects, int maxFrameBytes) {
    FakeNode node = new FakeNode(selfId, effects, new FrameCodec(maxFrameBytes));
    this.writes = new LocalWrites(node, new Outbox());
    this.clock = new HybridClock(selfId, new java.time.Clock() {
      @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
      @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public long millis() { return effects.nowMillis(); }
      @Override public java.time.Instant instant() { return java.time.Instant.ofEpochMilli(millis()); }
    });
    this.store = new Store(selfId, leasing, effects, writes, clock, StoreLimits.DEFAULTS);
    writes.guessWith(store::guess);
  }

  Store store() {
    return store;
  }

  Store.@Nullable Entry set(Bytes key, @Nullable Object value) {
    return store.store(writes.store(key, value));
  }

  void setAll(Map<Bytes, @Nullable Object> values) {
    List<LocalWrite> all = new ArrayList<>();
    values.forEach((k, v) -> all.add(writes.store(k, v)));
    store.storeAll(all);
  }

  Map<Object, Object> delta(Bytes key, Map<?, ?> delta) {
    return store.delta(writes.delta(key, delta));
  }

  Map.@Nullable Entry<Bytes, Object> popAny() {
    return store.popAny();
  }

  void remoteStore(Bytes key, @Nullable Object value, MetaTuple meta, boolean ownerBin, boolean dump, String from) {
    store.remoteStore(key, value, meta, ownerBin, dump, from);
  }

  void remoteDelta(Bytes key, Map<?, ?> delta, MetaTuple meta, boolean ownerBin, String from) {
    store.remoteDelta(key, delta, meta, ownerBin, from);
  }

  Store.@Nullable Entry entry(Bytes key) {
    return store.entry(key);
  }

  /** A syncmesh peer's state of {@code key} (a versioned write or an anti-entropy entry). */
  void remote(Bytes key, Store.Entry state, String from) {
    store.applyRemote(key, state, from, "anti-entropy entry");
  }

  Store.@Nullable Entry live(Bytes key) {
    return store.live(key);
  }

  int size() {
    return store.size();
  }

  Iterable<Map.Entry<Bytes, Store.Entry>> entries() {
    return store.entries();
  }

  long refusedRemote() {
    return store.refusedRemote.get();
  }

  long droppedRemote() {
    return store.droppedRemote.get();
  }

  /** The node a store needs for encoding: the test's clock, a codec; runs submitted work in place. */
  private record FakeNode(String id, Store.Effects effects, FrameCodec codec) implements MeshExtension.Node {
    @Override public long nowSeconds() { return Math.floorDiv(effects.nowMillis(), 1000); }
    @Override public long nowMillis() { return effects.nowMillis(); }
    @Override public void broadcastIfNew(OutboundFrame frame, Predicate<PeerInfo> to) {}
    @Override public java.util.Collection<PeerInfo> peers() { return List.of(); }
    @Override public void execute(Runnable task) { task.run(); }
    @Override public AutoCloseable every(java.time.Duration period, Runnable task) { return () -> {}; }
    @Override public OutboundFrame frame(InternalMessage message) { return OutboundFrame.of(message, codec); }
    @Override public int maxFrameBytes() { return codec.maxFrameBytes(); }
    @Override public <T> CompletableFuture<T> submit(Supplier<T> task) {
      return CompletableFuture.completedFuture(task.get());
    }
    @Override public <T> CompletableFuture<T> trySubmit(Supplier<T> task) {
      return submit(task);
    }
    @Override public void serially(Runnable step) { step.run(); }
    @Override public void broadcast(OutboundFrame frame, Predicate<PeerInfo> to) {}
    @Override public void whisperAll(PeerInfo peer, Iterator<? extends List<?>> payloads) {}
    @Override public void callback(Runnable task) { task.run(); }
    @Override public void reportError(String error) { effects.dropped(error); }
    @Override public boolean isClosed() { return false; }
  }
}
