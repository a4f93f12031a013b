package org.syncmesh.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.Bytes;
import org.syncmesh.net.OutboundFrame;

/**
 * The replicated dictionary of one node: values and their {@link MetaTuple}s, and every write
 * to them, local or remote.
 *
 * <h2>Concurrency</h2>
 * One writer: every write, local or remote, runs as a step of the node's single writer (see
 * MeshSocket, "Concurrency"), so for each write the lease check, the change, the broadcast and
 * the event are one step with no lock: the order in which this node applies writes is the order
 * its broadcasts leave in and the order its listeners hear about them. Local writes arrive as
 * {@link LocalWrite}s, already validated and encoded on the caller's thread. Reads
 * ({@link #entry}, {@link #size}, {@link #entries}) may come from any thread and take no lock:
 * they read one {@link ConcurrentHashMap}, and iteration is weakly consistent, never a
 * ConcurrentModificationException.
 *
 * <h2>Leases</h2>
 * Every change, local or remote, passes {@link LeasePolicy} against the key's current metadata,
 * with the writer's {@code (owner, timestamp)}: {@code (this node, the broadcast's time)} for a
 * local write, {@code (sender, time)} of the message for a peer's store or delta, and the
 * claimed {@code (owner, timestamp)} of an initial-sync store (§10.1). A refused local write
 * throws {@link LeaseException} before anything is stored or sent; a refused remote write is
 * dropped, as the peers do, counted, and reported in the socket's status.
 *
 * <p>The lease is all-or-nothing per key: a delta's sender takes the lease of the whole map
 * (§10.5). There are no tombstones: a delete removes value and metadata, so a key deleted here
 * can come back from a peer that missed the delete (§13.9). An initial-sync store for a key
 * this node holds is ignored without a lease check, whatever the held value is (py2p and js2p
 * overwrite falsy values such as 0, "" and false; we treat them as values like any other).
 */
final class Store {

  /** A value with its metadata; {@code ownerBin}: the owner id arrived as msgpack bin. */
  record Entry(Object value, MetaTuple meta, boolean ownerBin) {}

  /** What a write does besides changing the map; called from the writer's steps. */
  interface Effects {
    long nowSeconds();

    void broadcast(OutboundFrame frame);

    void updated(Bytes key, Object value, MetaTuple meta);

    void deleted(Bytes key);

    /** A remote write was refused or malformed. */
    void dropped(String why);
  }

  private static final int MAX_INTERNED_OWNERS = 10_000;

  private final ConcurrentHashMap<Bytes, Entry> entries = new ConcurrentHashMap<>();
  private final String selfId;
  private final boolean leasing;
  private final Effects effects;
  private final LocalWrites writes;
  // The writer's steps only.
  private final Map<String, String> owners = new HashMap<>();

  final AtomicLong refusedRemote = new AtomicLong();
  final AtomicLong droppedRemote = new AtomicLong();

  Store(String selfId, boolean leasing, Effects effects, LocalWrites writes) {
    this.selfId = selfId;
    this.leasing = leasing;
    this.effects = effects;
    this.writes = writes;
  }

  // ---------------------------------------------------------------- reads (any thread, no lock)

  @Nullable Entry entry(Bytes key) {
    return entries.get(key);
  }

  int size() {
    return entries.size();
  }

  /** A weakly consistent live view: safe to iterate while others write. */
  Iterable<Map.Entry<Bytes, Entry>> entries() {
    return entries.entrySet();
  }

  // ---------------------------------------------------------------- local writes (the writer's steps)

  /** Stores a write's value, or deletes when it is null; returns the previous entry, if any. */
  @Nullable Entry store(LocalWrite write) {
    Entry current = entries.get(write.key());
    if (write.value() == null && current == null) {
      return null; // nothing to delete: nothing is sent
    }
    LocalWrite confirmed = writes.confirm(write);
    requireLease(write.key(), current, confirmed.message().time(), false);
    commit(confirmed, write.value());
    return current;
  }

  /** Stores every write, or none if one of them is refused. */
  void storeAll(List<LocalWrite> all) {
    List<LocalWrite> confirmed = new ArrayList<>(all.size());
    for (LocalWrite w : all) {
      LocalWrite c = writes.confirm(w);
      requireLease(w.key(), entries.get(w.key()), c.message().time(), false);
      confirmed.add(c);
    }
    for (LocalWrite w : confirmed) {
      if (w.value() != null || entries.containsKey(w.key())) {
        commit(w, w.value());
      }
    }
  }

  /** Deletes the first key this node may delete and returns it with its value; null when empty. */
  Map.@Nullable Entry<Bytes, Object> popAny() {
    LeaseException first = null;
    for (Map.Entry<Bytes, Entry> e : entries.entrySet()) {
      try {
        store(writes.storeNow(e.getKey(), null));
        return Map.entry(e.getKey(), e.getValue().value());
      } catch (LeaseException refused) {
        first = first == null ? refused : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return null;
  }

  /**
   * Merges a delta into the map at its key (an empty map when absent) and returns the merged map.
   *
   * @throws IllegalArgumentException if the key holds a non-map, or the merged map would not fit
   *     an initial sync
   * @throws LeaseException if another node holds the key
   */
  Map<Object, Object> delta(LocalWrite write) {
    Bytes key = write.key();
    Entry current = entries.get(key);
    if (current != null && !(current.value() instanceof Map)) {
      throw new IllegalArgumentException("cannot apply a delta to key " + Keys.render(key)
          + ": it holds a " + current.value().getClass().getSimpleName() + " (expected: a map or no value)");
    }
    LocalWrite confirmed = writes.confirm(write);
    requireLease(key, current, confirmed.message().time(), true);
    Map<Object, Object> merged = merge(current, (Map<?, ?>) write.value());
    writes.requireFits(key, merged);
    commit(confirmed, merged);
    return merged;
  }

  private void commit(LocalWrite write, @Nullable Object value) {
    writes.outbox().commit(write.message());
    apply(write.key(), value, new MetaTuple(selfId, write.message().time()), false);
    effects.broadcast(write.frame());
  }

  private void requireLease(Bytes key, @Nullable Entry current, long time, boolean delta) {
    if (current != null
        && !LeasePolicy.accepts(current.meta(), new MetaTuple(selfId, time), delta, leasing, effects.nowSeconds())) {
      throw new LeaseException(key, current.meta(), LeasePolicy.leaseEndSeconds(current.meta()), leasing);
    }
  }

  // ---------------------------------------------------------------- remote writes (the writer's steps)

  /**
   * A peer's store: 3-packet ({@code dump} false, meta from the message header) or 5-packet
   * initial sync ({@code dump} true, meta as claimed, §10.6). A null value deletes.
   */
  void remoteStore(Bytes key, @Nullable Object value, MetaTuple meta, boolean ownerBin, boolean dump,
      String from) {
    Entry current = entries.get(key);
    if (dump && current != null) {
      return; // §10.6: a held key is kept as is, not even lease-checked
    }
    if (value == null && current == null) {
      return; // deleting what we do not hold (py2p would drop the link here)
    }
    if (!remoteLease(key, current, meta, false, dump ? "initial-sync store" : "store", from)) {
      return;
    }
    apply(key, value, intern(meta), ownerBin);
  }

  /** A peer's delta (§10.5): merged into a map; dropped on a non-map. */
  void remoteDelta(Bytes key, Map<?, ?> delta, MetaTuple meta, boolean ownerBin, String from) {
    Entry current = entries.get(key);
    if (current != null && !(current.value() instanceof Map)) {
      droppedRemote.incrementAndGet();
      effects.dropped("dropped delta of key " + Keys.render(key) + " from " + from + ": the key holds a "
          + current.value().getClass().getSimpleName() + ", not a map");
      return;
    }
    if (!remoteLease(key, current, meta, true, "delta", from)) {
      return;
    }
    apply(key, merge(current, delta), intern(meta), ownerBin);
  }

  private boolean remoteLease(Bytes key, @Nullable Entry current, MetaTuple meta, boolean delta, String kind,
      String from) {
    long now = effects.nowSeconds();
    if (current == null || LeasePolicy.accepts(current.meta(), meta, delta, leasing, now)) {
      return true;
    }
    refusedRemote.incrementAndGet();
    MetaTuple held = current.meta();
    effects.dropped("refused remote " + kind + " of key " + Keys.render(key) + " from " + from + " as "
        + meta.owner() + " at " + meta.time() + ": owned by " + held.owner() + " since " + held.time()
        + (leasing ? ", leased until " + Instant.ofEpochSecond(LeasePolicy.leaseEndSeconds(held)) : ""));
    return false;
  }

  // ---------------------------------------------------------------- shared

  private void apply(Bytes key, @Nullable Object value, MetaTuple meta, boolean ownerBin) {
    if (value == null) {
      entries.remove(key);
      effects.deleted(key);
    } else {
      entries.put(key, new Entry(value, meta, ownerBin));
      effects.updated(key, value, meta);
    }
  }

  private static Map<Object, Object> merge(@Nullable Entry current, Map<?, ?> delta) {
    Map<Object, Object> merged = current == null ? new LinkedHashMap<>()
        : new LinkedHashMap<>((Map<?, ?>) current.value());
    merged.putAll(delta);
    return Collections.unmodifiableMap(merged);
  }

  /** One String per owner id, so 100,000 keys from one peer do not hold 100,000 copies of its id. */
  private MetaTuple intern(MetaTuple meta) {
    String owner = owners.get(meta.owner());
    if (owner == null) {
      if (owners.size() >= MAX_INTERNED_OWNERS) {
        return meta;
      }
      owners.put(meta.owner(), meta.owner());
      return meta;
    }
    return owner == meta.owner() ? meta : new MetaTuple(owner, meta.timestamp());
  }
}
