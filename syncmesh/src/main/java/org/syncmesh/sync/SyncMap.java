package org.syncmesh.sync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A typed {@link ConcurrentMap} view of a {@link SyncSocket}'s dictionary: keys and values go
 * through a {@link Codec} each way, so a key written as a String reads back as that String and a
 * value comes back as the type written. Made by {@link SyncSocket#map}; any number of views may
 * share one socket, and they see each other's writes and the network's.
 *
 * <pre>{@code
 * SyncMap<String, String> names = socket.map(Codecs.string(), Codecs.string());
 * names.put("alice", "Alice");                       // stored here, broadcast to every peer
 * try (Subscription s = names.onUpdate((key, oldValue, newValue) -> log(key, oldValue, newValue))) {
 *   names.putIfAbsent("bob", "Bob");                 // atomic on this node only, see below
 * }
 * }</pre>
 *
 * <h2>Reads and iteration</h2>
 * Reads take no lock and see this node's copy. Iteration is weakly consistent, as
 * {@link java.util.concurrent.ConcurrentHashMap}'s: it never throws
 * {@link java.util.ConcurrentModificationException} and reflects some changes made after it
 * started. {@link #size()} and {@link #isEmpty()} walk the entries, so entries this view cannot
 * decode never count; {@link SyncSocket#size()} is the constant-time count of every key. Values are
 * compared by their encoded form, as Hazelcast's maps compare serialized forms, so
 * {@code remove(key, bytes)} works for {@code byte[]} values too.
 *
 * <h2>Entries this view cannot decode</h2>
 * An entry whose key or value the codecs refuse (written by another program, or through another
 * view) is skipped by iteration, by {@link #size()} and by events, each time with an
 * {@link UndecodableEntryException} given to the {@link #onDecodeError} listeners and counted by
 * {@link #undecodableEntries()}; it never makes iteration throw. {@link #get} of such a key, and
 * the writes whose result is the key's current value ({@code put}, {@code remove(key)},
 * {@code replace(key, value)}, {@code putIfAbsent} of a held key, {@code compute…}, {@code merge},
 * and the async forms), throw it instead, changing nothing: overwrite or delete such an entry
 * through the socket ({@link SyncSocket#set}, {@link SyncSocket#del}).
 * {@link #containsKey} is true for it.
 *
 * <h2>Writes and atomicity</h2>
 * A write is checked and encoded on the caller's thread (a null key or value throws
 * NullPointerException, an unencodable or too large one IllegalArgumentException, before anything
 * is stored or sent), then runs as one step of the node's single writer, as {@link SyncSocket#set}
 * does, and may throw {@link LeaseException} from there. Like Hazelcast's {@code ReplicatedMap},
 * this map is eventually consistent, and the conditional operations ({@code putIfAbsent},
 * {@code replace}, {@code remove(key, value)}, {@code compute…}, {@code merge}) are atomic on this
 * node only: the check and the change are one step of this node's writer, against every other
 * local or remote write to this node, but no other node is asked. Two nodes that call
 * {@code putIfAbsent(key, …)} at once may both find the key absent and both return null, both
 * believing they won; every node then converges to one of the two values (with leasing the first
 * claim, without it the later version) and the losing node's update listeners hear of it. Use
 * leases or a single writer per key where that matters. The functions given to {@code compute…},
 * {@code merge} and {@code replaceAll} run on the caller's thread, outside the step, and are called
 * again if the key changed meanwhile (as ConcurrentMap's default methods do), so they should be
 * free of side effects. Null is neither a key nor a value: the compute functions return null to
 * delete.
 *
 * <h2>Events and thread-safety</h2>
 * Every method may be called from any thread. Listeners run on the socket's callback executor,
 * never on a network thread, one event at a time, in the order changes were applied to this node;
 * they may read and write this map and add or close subscriptions, including their own.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface SyncMap<K, V> extends ConcurrentMap<K, V> {

  /** The socket this view reads and writes. */
  SyncSocket socket();

  /** The codec of keys. */
  Codec<K> keyCodec();

  /** The codec of values. */
  Codec<V> valueCodec();

  /**
   * {@link #put} without waiting: the future completes with the previous value (null if none) once
   * the write is applied and its broadcast queued, or fails with what {@code put} would throw; it
   * fails at once with {@link java.util.concurrent.RejectedExecutionException} when the node's
   * send queue is full.
   *
   * @throws NullPointerException if the key or value is null, before anything is queued
   * @throws IllegalArgumentException if either cannot be encoded or is too large, before anything is queued
   */
  CompletableFuture<@Nullable V> putAsync(K key, V value);

  /**
   * {@link #remove(Object)} without waiting, as {@link #putAsync}: completes with the value removed,
   * or null if the key held none.
   *
   * @throws NullPointerException if the key is null, before anything is queued
   */
  CompletableFuture<@Nullable V> removeAsync(K key);

  /**
   * Calls {@code listener} for every key this node stores from now on, locally or from a peer, with
   * the value it held before (null if none, or if that value cannot be decoded, which is then
   * reported as a decode error). Updates whose key or new value cannot be decoded are skipped and
   * reported. Close the returned subscription to stop.
   */
  Subscription onUpdate(UpdateListener<? super K, ? super V> listener);

  /**
   * Calls {@code listener} for every key deleted on this node from now on, with the value it held;
   * deletes of entries this view cannot decode are skipped and reported.
   */
  Subscription onDelete(DeleteListener<? super K, ? super V> listener);

  /** Calls {@code listener}, on the callback executor, for each entry this view skips or refuses (see above). */
  Subscription onDecodeError(Consumer<? super UndecodableEntryException> listener);

  /** How many times this view has met an entry it could not decode (skipped or refused) since it was made. */
  long undecodableEntries();

  /** As {@link SyncSocket#awaitInitialSync()}. */
  CompletableFuture<Void> awaitInitialSync();
}
