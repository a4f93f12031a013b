package org.syncmesh.sync;

import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.syncmesh.Bytes;
import org.syncmesh.Version;

/**
 * The digests that anti-entropy compares (docs/extension-v1.md §5): every key falls in one of
 * {@value #BUCKETS} buckets by the top bits of its 64-bit key hash, a bucket's digest is the XOR
 * of its entries' digests, and the tree above the buckets has a fan-out of {@value #FAN_OUT}
 * (levels of 1, 16, 256 and 4096 nodes). XOR makes every write an O(1) update, in any order.
 *
 * <p>Thread-safety: updated by the node's single writer, read by the protocol thread while it
 * writes. Reads are atomic per bucket, so a reader may see a tree between two writes; a round
 * that compares such a tree finds a difference that the next round no longer finds.
 */
final class DigestTree {

  static final int FAN_OUT = 16;
  static final int LEVELS = 3;
  static final int BUCKETS = 4096;
  private static final int BUCKET_SHIFT = 64 - 12;

  private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
  private final AtomicIntegerArray counts = new AtomicIntegerArray(BUCKETS);

  /** Records that the entry {@code before} of {@code key} became {@code after} (either may be null). */
  void replace(Bytes key, Store.@org.jspecify.annotations.Nullable Entry before,
      Store.@org.jspecify.annotations.Nullable Entry after) {
    long kh = keyHash(key);
    int b = bucket(kh);
    long change = 0;
    if (before != null) {
      change ^= entryDigest(kh, before);
      counts.decrementAndGet(b);
    }
    if (after != null) {
      change ^= entryDigest(kh, after);
      counts.incrementAndGet(b);
    }
    if (change != 0) {
      long old;
      do {
        old = buckets.get(b);
      } while (!buckets.compareAndSet(b, old, old ^ change));
    }
  }

  /**
   * Adds or removes (XOR both ways) the digest of {@code record}, a record of {@code key} beside its
   * visible state (a secure leasing network's tenure history, §8.4), without counting an entry.
   */
  void toggle(Bytes key, Store.Entry record) {
    long kh = keyHash(key);
    int b = bucket(kh);
    long change = entryDigest(kh, record);
    long old;
    do {
      old = buckets.get(b);
    } while (!buckets.compareAndSet(b, old, old ^ change));
  }

  /** The digest of node {@code index} at {@code level} (0: the root; {@link #LEVELS}: a bucket). */
  long digest(int level, int index) {
    int span = span(level);
    long d = 0;
    for (int i = index * span, end = i + span; i < end; i++) {
      d ^= buckets.get(i);
    }
    return d;
  }

  /** Entries in the subtree of node {@code index} at {@code level}. */
  int count(int level, int index) {
    int span = span(level);
    int c = 0;
    for (int i = index * span, end = i + span; i < end; i++) {
      c += counts.get(i);
    }
    return c;
  }

  /** Buckets under one node of {@code level}. */
  static int span(int level) {
    return 1 << (4 * (LEVELS - level));
  }

  static int bucket(long keyHash) {
    return (int) (keyHash >>> BUCKET_SHIFT);
  }

  /** A 64-bit hash of a key's bytes (FNV-1a, then a 64-bit finaliser for the top bits' sake). */
  static long keyHash(Bytes key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = key.size(); i < n; i++) {
      h ^= key.byteAt(i) & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /**
   * A 64-bit digest of one entry's state: its key hash, versions, tenure, fields and whether it
   * is deleted. Two entries with equal digests are taken to be equal; values are not hashed,
   * as one version names one write.
   */
  static long entryDigest(long keyHash, Store.Entry e) {
    long h = mix(keyHash ^ 0x9e3779b97f4a7c15L);
    h = mix(h ^ version(e.version()));
    h = mix(h ^ (e.base() == null ? 0x5bd1e995L : version(e.base())));
    h = mix(h ^ ((long) e.epoch() << 1 | (e.value() == null ? 1 : 0)));
    if (e.claim() != null) {
      h = mix(h ^ version(e.claim()));
    }
    if (e.fields() != null) {
      long f = 0;
      for (Map.Entry<Object, Version> field : e.fields().entrySet()) {
        f += mix(field.getKey().hashCode() * 0x9e3779b97f4a7c15L ^ version(field.getValue()));
      }
      h = mix(h ^ f);
    }
    return h == 0 ? 1 : h;
  }

  private static long version(Version v) {
    return mix(v.hlc() * 31 + v.writer().hashCode());
  }

  /** MurmurHash3's 64-bit finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
