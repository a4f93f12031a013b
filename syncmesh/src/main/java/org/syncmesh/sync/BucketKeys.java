package org.syncmesh.sync;

import java.util.Arrays;
import java.util.function.Consumer;
import org.syncmesh.Bytes;

/**
 * The keys of each digest bucket ({@link DigestTree}), so that anti-entropy reads the entries of
 * the buckets a round names without scanning the whole store. Two nodes that differ in most
 * buckets exchange rows in messages of {@value AntiEntropy#ROWS_PER_MESSAGE}, and a scan of the
 * store for each message made such a round quadratic in the store's size.
 *
 * <p>Each bucket is an array of its keys in no order, removal moving the last key into the hole;
 * about 5 bytes a key beside the store's map.
 *
 * <p>Thread-safety: changed by the node's single writer (one step at a time, each seeing the
 * effects of the one before); read by any thread at any time. A read that races a change may miss
 * the key that change adds, removes or moves, or meet it twice, as a read of the digest tree may
 * fall between two writes: a round that misses a key finds the difference in the next one.
 */
final class BucketKeys {

  private static final int FIRST_CAPACITY = 4;

  private final Bytes[][] buckets;
  /** Keys held per bucket: the writer's own. */
  private final int[] sizes;
  /**
   * Written after every change and read before every read, so that a reader sees every change
   * before the last one it read this from. Plain arrays beside it, not atomic ones: a node that
   * has just started makes its first changes before the JIT compiler has compiled this class, and
   * with an atomic store per key (VarHandles) a fresh joiner of 10,000 keys took about 20 ms
   * longer (bench's JoinerMemory, six pairs); with this, no longer than without the index.
   */
  private volatile long changes;

  BucketKeys(int buckets) {
    this.buckets = new Bytes[buckets][];
    this.sizes = new int[buckets];
  }

  /** Adds {@code key}, which the bucket must not hold. */
  void add(int bucket, Bytes key) {
    Bytes[] keys = buckets[bucket];
    int n = sizes[bucket];
    if (keys == null || n == keys.length) {
      keys = keys == null ? new Bytes[FIRST_CAPACITY] : Arrays.copyOf(keys, n + (n >> 1));
      buckets[bucket] = keys;
    }
    keys[n] = key;
    sizes[bucket] = n + 1;
    changes++;
  }

  /** Removes {@code key}; false if the bucket does not hold it. */
  boolean remove(int bucket, Bytes key) {
    Bytes[] keys = buckets[bucket];
    int n = sizes[bucket];
    for (int i = 0; i < n; i++) {
      if (keys[i].equals(key)) {
        int last = n - 1;
        keys[i] = keys[last];
        keys[last] = null;
        sizes[bucket] = last;
        if (keys.length > 2 * FIRST_CAPACITY && last < keys.length / 4) {
          buckets[bucket] = Arrays.copyOf(keys, keys.length / 2); // after a mass delete, give the room back
        }
        changes++;
        return true;
      }
    }
    return false;
  }

  /** Gives {@code action} each key of {@code bucket}, as the class notes say of a racing change. */
  void forEach(int bucket, Consumer<Bytes> action) {
    if (changes == 0) {
      return; // nothing ever added; and the read orders this one after the writer's changes
    }
    Bytes[] keys = buckets[bucket];
    if (keys == null) {
      return;
    }
    for (Bytes key : keys) {
      if (key != null) {
        action.accept(key);
      }
    }
  }
}
