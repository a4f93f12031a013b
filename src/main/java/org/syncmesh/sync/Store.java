package org.syncmesh.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * The replicated dictionary of one node: values and their {@link MetaTuple}s, and every write
 * to them, local or remote.
 *
 * <h2>Concurrency</h2>
 * Reads ({@link #entry}, {@link #size}, {@link #entries}) take no lock: they read one
 * {@link ConcurrentHashMap}, and iteration is weakly consistent, never a
 * ConcurrentModificationException. Writes take one lock per node, so that for each write the
 * lease check, the change, the broadcast and the event are one step: the order in which this
 * node applies writes is the order its broadcasts leave in (each is queued on the protocol
 * thread under the lock) and the order its listeners hear about them. Local writes run on the
 * caller's thread; remote ones on the protocol thread.
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

  /** What a write does besides changing the map; called under the write lock. */
  interface Effects {
    long nowSeconds();

    /** @throws IllegalStateException if the socket is closed */
    void checkOpen();

    void broadcast(InternalMessage message);

    void updated(Bytes key, Object value, MetaTuple meta);

    void deleted(Bytes key);

    /** A remote write was refused or malformed. */
    void dropped(String why);
  }

  private static final int MAX_INTERNED_OWNERS = 10_000;

  private final ConcurrentHashMap<Bytes, Entry> entries = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final String selfId;
  private final boolean leasing;
  private final Effects effects;
  // Guarded by lock.
  private final Outbox outbox;
  private final Map<String, String> owners = new HashMap<>();

  final AtomicLong refusedRemote = new AtomicLong();
  final AtomicLong droppedRemote = new AtomicLong();

  Store(String selfId, boolean leasing, Effects effects) {
    this.selfId = selfId;
    this.leasing = leasing;
    this.effects = effects;
    this.outbox = new Outbox(selfId);
  }

  // ---------------------------------------------------------------- reads (no lock)

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

  // ---------------------------------------------------------------- local writes (any thread)

  /** Stores {@code value}, or deletes when it is null; returns the previous entry, if any. */
  @Nullable Entry set(Bytes key, @Nullable Object value) {
    synchronized (lock) {
      effects.checkOpen();
      return storeLocked(key, value, effects.nowSeconds());
    }
  }

  /** Stores every entry, or none if one of them is refused. */
  void setAll(Map<Bytes, @Nullable Object> values) {
    synchronized (lock) {
      effects.checkOpen();
      long now = effects.nowSeconds();
      List<InternalMessage> messages = new ArrayList<>(values.size());
      for (Map.Entry<Bytes, @Nullable Object> e : values.entrySet()) {
        messages.add(createStore(e.getKey(), e.getValue(), now));
      }
      for (InternalMessage m : messages) {
        Bytes key = (Bytes) m.payload().get(1);
        requireLease(key, entries.get(key), new MetaTuple(selfId, m.time()), false, now);
      }
      for (InternalMessage m : messages) {
        storeLocked(m, now);
      }
    }
  }

  /** Deletes {@code key} if present (null when absent), or the first key this node may delete. */
  Map.@Nullable Entry<Bytes, Object> popAny() {
    synchronized (lock) {
      effects.checkOpen();
      long now = effects.nowSeconds();
      LeaseException first = null;
      for (Map.Entry<Bytes, Entry> e : entries.entrySet()) {
        try {
          storeLocked(e.getKey(), null, now);
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
  }

  /**
   * Merges {@code delta} into the map at {@code key} (an empty map when absent) and returns the
   * merged map.
   *
   * @throws IllegalArgumentException if the delta cannot be encoded or the value is not a map
   * @throws LeaseException if another node holds the key
   */
  Map<Object, Object> delta(Bytes key, Map<?, ?> delta) {
    synchronized (lock) {
      effects.checkOpen();
      long now = effects.nowSeconds();
      InternalMessage m = encode(Arrays.asList(Flags.SUB_DELTA, key, delta), now, "delta");
      Entry current = entries.get(key);
      if (current != null && !(current.value() instanceof Map)) {
        throw new IllegalArgumentException("cannot apply a delta to key " + Keys.render(key)
            + ": it holds a " + current.value().getClass().getSimpleName() + " (expected: a map or no value)");
      }
      MetaTuple meta = new MetaTuple(selfId, m.time());
      requireLease(key, current, meta, true, now);
      outbox.commit(m);
      Map<Object, Object> merged = merge(current, (Map<?, ?>) m.payload().get(2));
      apply(key, merged, meta, false);
      effects.broadcast(m);
      return merged;
    }
  }

  private @Nullable Entry storeLocked(Bytes key, @Nullable Object value, long now) {
    return storeLocked(createStore(key, value, now), now);
  }

  private @Nullable Entry storeLocked(InternalMessage m, long now) {
    Bytes key = (Bytes) m.payload().get(1);
    Object value = m.payload().get(2);
    Entry current = entries.get(key);
    if (value == null && current == null) {
      return null; // nothing to delete: nothing is sent
    }
    MetaTuple meta = new MetaTuple(selfId, m.time());
    requireLease(key, current, meta, false, now);
    outbox.commit(m);
    apply(key, value, meta, false);
    effects.broadcast(m);
    return current;
  }

  private InternalMessage createStore(Bytes key, @Nullable Object value, long now) {
    return encode(Arrays.asList(Flags.SUB_STORE, key, value), now, "value");
  }

  private InternalMessage encode(List<?> payload, long now, String name) {
    try {
      return outbox.create(payload, now);
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      throw new IllegalArgumentException(
          message.startsWith("payload[2]") ? name + message.substring("payload[2]".length()) : message, e);
    }
  }

  private void requireLease(Bytes key, @Nullable Entry current, MetaTuple meta, boolean delta, long now) {
    if (current != null && !LeasePolicy.accepts(current.meta(), meta, delta, leasing, now)) {
      throw new LeaseException(key, current.meta(), LeasePolicy.leaseEndSeconds(current.meta()), leasing);
    }
  }

  // ---------------------------------------------------------------- remote writes (protocol thread)

  /**
   * A peer's store: 3-packet ({@code dump} false, meta from the message header) or 5-packet
   * initial sync ({@code dump} true, meta as claimed, §10.6). A null value deletes.
   */
  void remoteStore(Bytes key, @Nullable Object value, MetaTuple meta, boolean ownerBin, boolean dump,
      String from) {
    synchronized (lock) {
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
  }

  /** A peer's delta (§10.5): merged into a map; dropped on a non-map. */
  void remoteDelta(Bytes key, Map<?, ?> delta, MetaTuple meta, boolean ownerBin, String from) {
    synchronized (lock) {
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
