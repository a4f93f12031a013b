package org.syncmesh.sync;

import java.util.AbstractMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Packets;

/**
 * {@link SyncMap} over a {@link SyncSocket}'s store. Every write reads the key's state, decides on
 * the caller's thread (decoding, calling the user's function, encoding), then submits one step
 * that applies the change only if the key's state is still the one read (states are replaced,
 * never mutated, so identity says "unchanged"), and otherwise starts over: the check and the
 * change are one step of the node's writer, and no codec or user function ever runs inside it.
 * Thread-safe.
 */
final class TypedSyncMap<K, V> extends AbstractMap<K, V> implements SyncMap<K, V> {

  private final SyncSocket socket;
  private final Codec<K> keys;
  private final Codec<V> values;
  private final AtomicLong undecodable = new AtomicLong();
  private final List<ErrorSubscriber> errorListeners = new CopyOnWriteArrayList<>();
  private final Set<Map.Entry<K, V>> entrySet = new TypedEntrySet<>(this);

  TypedSyncMap(SyncSocket socket, Codec<K> keys, Codec<V> values) {
    this.socket = socket;
    this.keys = keys;
    this.values = values;
  }

  @Override
  public SyncSocket socket() {
    return socket;
  }

  @Override
  public Codec<K> keyCodec() {
    return keys;
  }

  @Override
  public Codec<V> valueCodec() {
    return values;
  }

  // ---------------------------------------------------------------- codecs

  /** The stored key of {@code key}; ClassCastException from the codec for a key of another type. */
  @SuppressWarnings("unchecked")
  Bytes keyOf(@Nullable Object key) {
    Objects.requireNonNull(key, "key");
    Object encoded = keys.encode((K) key);
    if (encoded == null) {
      throw new IllegalArgumentException("key codec " + keys.name() + " encoded key " + key + " as null");
    }
    if (!(encoded instanceof String || encoded instanceof byte[] || encoded instanceof Bytes)) {
      throw new IllegalArgumentException("key codec " + keys.name() + " encoded key " + key + " as a "
          + encoded.getClass().getName() + " (expected: String, byte[] or Bytes)");
    }
    return Keys.of(encoded); // a String with an unpaired surrogate is refused here, naming it
  }

  /** What the socket stores for {@code value}, unnormalised. */
  @SuppressWarnings("unchecked")
  private Object valueOf(@Nullable Object value) {
    Objects.requireNonNull(value, "value");
    Object encoded = values.encode((V) value);
    if (encoded == null) {
      throw new IllegalArgumentException("value codec " + values.name() + " encoded a value as null");
    }
    return encoded;
  }

  /** {@code value}'s stored form as the store holds it (Long for integers, Bytes for byte[]), to compare. */
  @Nullable Object storedFormOf(@Nullable Object value) {
    return Packets.decode(Packets.encode(valueOf(value)));
  }

  K decodeKey(Bytes key) {
    try {
      return Objects.requireNonNull(keys.decode(key), "the codec returned null");
    } catch (RuntimeException e) {
      throw undecodable(key, keys.name(), true, e);
    }
  }

  /** Whether iteration would show {@code key} (reported if not). */
  private boolean decodesAsKey(Bytes key) {
    try {
      decodeKey(key);
      return true;
    } catch (UndecodableEntryException reported) {
      return false;
    }
  }

  V decodeValue(Bytes key, Object stored) {
    try {
      return Objects.requireNonNull(values.decode(stored), "the codec returned null");
    } catch (RuntimeException e) {
      throw undecodable(key, values.name(), false, e);
    }
  }

  /** Counts, reports to the decode-error listeners, and returns the exception to throw or skip with. */
  private UndecodableEntryException undecodable(Bytes key, String codec, boolean inKey, RuntimeException cause) {
    UndecodableEntryException e = new UndecodableEntryException(key, codec, inKey, cause);
    undecodable.incrementAndGet();
    for (ErrorSubscriber s : errorListeners) {
      socket.callback(() -> {
        if (s.open) {
          s.listener.accept(e);
        }
      });
    }
    return e;
  }

  @Override
  public long undecodableEntries() {
    return undecodable.get();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public @Nullable V get(Object key) {
    Bytes k = keyOf(key);
    Store.Entry e = socket.store().live(k);
    return e == null ? null : decodeValue(k, e.value());
  }

  @Override
  public boolean containsKey(Object key) {
    return socket.store().live(keyOf(key)) != null;
  }

  @Override
  public boolean containsValue(Object value) {
    Object wanted = storedFormOf(value);
    for (Map.Entry<Bytes, Store.Entry> e : socket.store().entries()) {
      if (wanted.equals(e.getValue().value()) && decodesAsKey(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int size() {
    int n = 0;
    for (Iterator<Map.Entry<K, V>> it = entrySet.iterator(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  @Override
  public boolean isEmpty() {
    return !entrySet.iterator().hasNext();
  }

  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return entrySet;
  }

  // ---------------------------------------------------------------- writes

  /** The key's state as a write found it: the value decoded on demand. */
  private final class Current {
    final Bytes key;
    final Store.@Nullable Entry seen;

    Current(Bytes key, Store.@Nullable Entry seen) {
      this.key = key;
      this.seen = seen;
    }

    /** The stored value, null if the key holds none. */
    @Nullable Object stored() {
      return seen == null ? null : seen.value();
    }

    /** The decoded value, null if none. @throws UndecodableEntryException if the codec refuses it */
    @Nullable V value() {
      Object stored = stored();
      return stored == null ? null : decodeValue(key, stored);
    }
  }

  /** What a write decided: the change to make (null: none) and what the operation returns. */
  private record Plan<R>(@Nullable LocalWrite write, @Nullable R result) {
    static <R> Plan<R> keep(@Nullable R result) {
      return new Plan<>(null, result);
    }
  }

  private static final Object RETRY = new Object();

  /** The step of {@code plan}, made from {@code current}: applies its write if the key is still as read. */
  private Supplier<Object> step(Current current, LocalWrite write) {
    Store store = socket.store();
    return () -> {
      if (store.entry(current.key) != current.seen) {
        return RETRY;
      }
      store.store(write);
      return write;
    };
  }

  /** Runs a write: {@code decision} decides from the key's state, on the caller's thread, maybe more than once. */
  private <R> @Nullable R update(Bytes key, Function<Current, Plan<R>> decision) {
    while (true) {
      Current current = new Current(key, socket.store().entry(key));
      Plan<R> plan = decision.apply(current);
      if (plan.write() == null) {
        return plan.result();
      }
      if (SyncSocket.await(socket.write(step(current, plan.write()), false)) != RETRY) {
        return plan.result();
      }
    }
  }

  /**
   * {@link #update} without waiting: the first try on the caller's thread; a retry (the key changed
   * between read and step) on the common pool, never on the thread that ran the step, which may be
   * the node's I/O thread.
   */
  private <R> CompletableFuture<@Nullable R> updateAsync(Bytes key, Function<Current, Plan<R>> decision) {
    Current current = new Current(key, socket.store().entry(key));
    Plan<R> plan;
    try {
      plan = decision.apply(current);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    LocalWrite write = plan.write();
    if (write == null) {
      return CompletableFuture.completedFuture(plan.result());
    }
    return socket.write(step(current, write), true).thenCompose(done -> done != RETRY
        ? CompletableFuture.completedFuture(plan.result())
        : CompletableFuture.supplyAsync(() -> updateAsync(key, decision)).thenCompose(retried -> retried));
  }

  private LocalWrite store(Bytes key, Object encodedValue) {
    return socket.localWrite(key, encodedValue);
  }

  private LocalWrite delete(Bytes key) {
    return socket.localWrite(key, null);
  }

  @Override
  public @Nullable V put(K key, V value) {
    Bytes k = keyOf(key);
    LocalWrite write = store(k, valueOf(value));
    return update(k, c -> new Plan<>(write, c.value()));
  }

  @Override
  public CompletableFuture<@Nullable V> putAsync(K key, V value) {
    Bytes k = keyOf(key);
    LocalWrite write = store(k, valueOf(value));
    return updateAsync(k, c -> new Plan<>(write, c.value()));
  }

  @Override
  public @Nullable V remove(Object key) {
    Bytes k = keyOf(key);
    return update(k, this::removal);
  }

  @Override
  public CompletableFuture<@Nullable V> removeAsync(K key) {
    Bytes k = keyOf(key);
    return updateAsync(k, this::removal);
  }

  private Plan<V> removal(Current c) {
    V old = c.value();
    return old == null ? Plan.keep(null) : new Plan<>(delete(c.key), old);
  }

  @Override
  public @Nullable V putIfAbsent(K key, V value) {
    Bytes k = keyOf(key);
    LocalWrite write = store(k, valueOf(value));
    return update(k, c -> c.stored() == null ? new Plan<>(write, null) : Plan.keep(c.value()));
  }

  @Override
  public boolean remove(Object key, Object value) {
    Bytes k = keyOf(key);
    Object expected = storedFormOf(value);
    Boolean removed = update(k, c -> expected.equals(c.stored()) ? new Plan<>(delete(k), true) : Plan.keep(false));
    return Boolean.TRUE.equals(removed);
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    Bytes k = keyOf(key);
    Object expected = storedFormOf(oldValue);
    LocalWrite write = store(k, valueOf(newValue));
    Boolean replaced = update(k, c -> expected.equals(c.stored()) ? new Plan<>(write, true) : Plan.keep(false));
    return Boolean.TRUE.equals(replaced);
  }

  @Override
  public @Nullable V replace(K key, V value) {
    Bytes k = keyOf(key);
    LocalWrite write = store(k, valueOf(value));
    return update(k, c -> {
      V old = c.value();
      return old == null ? Plan.keep(null) : new Plan<>(write, old);
    });
  }

  @Override
  public @Nullable V computeIfAbsent(K key, Function<? super K, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    Bytes k = keyOf(key);
    return update(k, c -> {
      V old = c.value();
      if (old != null) {
        return Plan.keep(old);
      }
      V made = function.apply(key);
      return made == null ? Plan.keep(null) : new Plan<>(store(k, valueOf(made)), made);
    });
  }

  @Override
  public @Nullable V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    Bytes k = keyOf(key);
    return update(k, c -> {
      V old = c.value();
      return old == null ? Plan.keep(null) : replacing(c, function.apply(key, old));
    });
  }

  @Override
  public @Nullable V compute(K key, BiFunction<? super K, ? super @Nullable V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    Bytes k = keyOf(key);
    return update(k, c -> replacing(c, function.apply(key, c.value())));
  }

  @Override
  public @Nullable V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
    Objects.requireNonNull(function, "function");
    Bytes k = keyOf(key);
    LocalWrite write = store(k, valueOf(value));
    return update(k, c -> {
      V old = c.value();
      return old == null ? new Plan<>(write, value) : replacing(c, function.apply(old, value));
    });
  }

  /** Stores {@code made}, or deletes when it is null (nothing to do if the key holds nothing). */
  private Plan<V> replacing(Current c, @Nullable V made) {
    if (made == null) {
      return c.stored() == null ? Plan.keep(null) : new Plan<>(delete(c.key), null);
    }
    return new Plan<>(store(c.key, valueOf(made)), made);
  }

  /** Deletes every entry this view can decode, one at a time (not atomically). */
  @Override
  public void clear() {
    for (Iterator<Map.Entry<K, V>> it = entrySet.iterator(); it.hasNext(); ) {
      it.next();
      it.remove();
    }
  }

  // ---------------------------------------------------------------- events

  @Override
  public Subscription onUpdate(UpdateListener<? super K, ? super V> listener) {
    Objects.requireNonNull(listener, "listener");
    return socket.onUpdate((key, oldStored, newStored) -> {
      K k;
      V now;
      try {
        k = decodeKey(key);
        now = decodeValue(key, newStored);
      } catch (UndecodableEntryException skipped) {
        return; // reported by undecodable()
      }
      V old = null;
      if (oldStored != null) {
        try {
          old = decodeValue(key, oldStored);
        } catch (UndecodableEntryException reported) {
          // the view never held it: an update from nothing
        }
      }
      listener.onUpdate(k, old, now);
    });
  }

  @Override
  public Subscription onDelete(DeleteListener<? super K, ? super V> listener) {
    Objects.requireNonNull(listener, "listener");
    return socket.onDelete((key, oldStored) -> {
      K k;
      V old;
      try {
        k = decodeKey(key);
        old = decodeValue(key, oldStored);
      } catch (UndecodableEntryException skipped) {
        return; // reported by undecodable()
      }
      listener.onDelete(k, old);
    });
  }

  @Override
  public Subscription onDecodeError(Consumer<? super UndecodableEntryException> listener) {
    ErrorSubscriber s = new ErrorSubscriber(Objects.requireNonNull(listener, "listener"));
    errorListeners.add(s);
    return s;
  }

  private final class ErrorSubscriber implements Subscription {
    final Consumer<? super UndecodableEntryException> listener;
    volatile boolean open = true;

    ErrorSubscriber(Consumer<? super UndecodableEntryException> listener) {
      this.listener = listener;
    }

    @Override
    public void close() {
      open = false;
      errorListeners.remove(this);
    }
  }

  @Override
  public CompletableFuture<Void> awaitInitialSync() {
    return socket.awaitInitialSync();
  }

  @Override
  public String toString() {
    return "SyncMap{" + keys.name() + " -> " + values.name() + " on " + socket.id() + "}";
  }
}
