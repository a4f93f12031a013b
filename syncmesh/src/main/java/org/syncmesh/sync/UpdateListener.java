package org.syncmesh.sync;

import org.jspecify.annotations.Nullable;

/**
 * Hears that a key was stored, locally or by a peer, with the value it held before. Registered
 * with {@link SyncSocket#onUpdate} or {@link SyncMap#onUpdate}, which say the thread and order.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface UpdateListener<K, V> {

  /**
   * {@code key} now holds {@code newValue} (for a delta, the whole merged map).
   *
   * @param oldValue what it held before; null if it held nothing (absent or deleted)
   */
  void onUpdate(K key, @Nullable V oldValue, V newValue);
}
