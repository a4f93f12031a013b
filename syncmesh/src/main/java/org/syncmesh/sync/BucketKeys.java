package org.syncmesh.sync;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import org.syncmesh.Bytes;

/**
 * The keys of each digest bucket ({@link DigestTree}) as one walk of the store found them, so that
 * anti-entropy reads the entries of the buckets a rows message names without walking the store
 * for each message. Two nodes that differ in most buckets exchange rows in messages of
 * {@value AntiEntropy#ROWS_PER_MESSAGE}, and a walk per message made such a round quadratic in the
 * store's size; with a snapshot the round walks the store once, at its first rows message.
 *
 * <p>A snapshot, not an index kept up to date by every write: with such an index (a long-lived
 * array per bucket that each new key was stored into) a line of command-line nodes carried 15 %
 * fewer keys a second once warm, and in one JVM G1's refinement threads used twice the CPU, the
 * price of old arrays made to point at young keys (bench/results/2026-12-07-ae-buckets.md).
 *
 * <p>A key written after the walk is missing from the snapshot, and one collected since is still
 * in it (its entry is then absent): a round that misses a key finds the difference in the next one,
 * as it would had the write come a moment later. Immutable once built: any thread may read one
 * that was handed to it safely (the anti-entropy session keeps it in a volatile field).
 */
final class BucketKeys {

  private static final int FIRST_CAPACITY = 4;

  private final Bytes[][] buckets = new Bytes[DigestTree.BUCKETS][];

  private BucketKeys() {}

  /** The keys of {@code entries}, by bucket. */
  static BucketKeys of(Iterable<? extends Map.Entry<Bytes, ?>> entries) {
    BucketKeys snapshot = new BucketKeys();
    int[] sizes = new int[DigestTree.BUCKETS];
    for (Map.Entry<Bytes, ?> e : entries) {
      Bytes key = e.getKey();
      int b = DigestTree.bucket(DigestTree.keyHash(key));
      Bytes[] keys = snapshot.buckets[b];
      int n = sizes[b];
      if (keys == null || n == keys.length) {
        keys = keys == null ? new Bytes[FIRST_CAPACITY] : Arrays.copyOf(keys, n + (n >> 1));
        snapshot.buckets[b] = keys;
      }
      keys[n] = key;
      sizes[b] = n + 1;
    }
    return snapshot;
  }

  /** Gives {@code action} each key the walk found in {@code bucket}. */
  void forEach(int bucket, Consumer<Bytes> action) {
    Bytes[] keys = buckets[bucket];
    if (keys == null) {
      return;
    }
    for (Bytes key : keys) {
      if (key == null) {
        return; // the rest of the array is room to grow
      }
      action.accept(key);
    }
  }
}
