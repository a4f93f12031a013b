package org.syncmesh.sync;

/**
 * Hears that a key was deleted, locally or by a peer, with the value it held. Registered with
 * {@link SyncSocket#onDelete} or {@link SyncMap#onDelete}, which say the thread and order.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface DeleteListener<K, V> {

  /** {@code key}, which held {@code oldValue}, was deleted. */
  void onDelete(K key, V oldValue);
}
