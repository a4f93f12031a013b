package org.syncmesh.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.syncmesh.Bytes;

/**
 * A set of message ids (the SHA-256 of a body, §3.4) keyed by their first 16 bytes: a false match
 * needs about 2<sup>64</sup> ids. Open addressing with linear probing over one {@code long[]}, so
 * adding allocates nothing until the table grows; there is no removal, only {@link #cleared}.
 * Built for the two places that remember recent ids: the mesh's de-duplication and the sync
 * socket's outbox. Not thread-safe.
 */
public final class IdSet {

  private static final int MIN_CAPACITY = 1024;
  private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Random per set: a peer can mint ids whose low bits collide, not ones that collide here. */
  private final long seed = ThreadLocalRandom.current().nextLong() | 1;
  private long[] keys; // k0, k1 pairs; (0, 0) marks an empty slot
  private int mask;
  private int size;
  private boolean hasZero;

  /** An empty set with room for about {@code expected} ids before it grows. */
  public IdSet(int expected) {
    allocate(capacityFor(expected));
  }

  /** How many ids the set holds. */
  public int size() {
    return size + (hasZero ? 1 : 0);
  }

  /** Whether an id with the same first 16 bytes was added. */
  public boolean contains(Bytes id) {
    long k0 = word(id, 0);
    long k1 = word(id, 8);
    if (k0 == 0 && k1 == 0) {
      return hasZero;
    }
    for (int i = slot(k0, k1); ; i = (i + 1) & mask) {
      long a = keys[2 * i];
      long b = keys[2 * i + 1];
      if (a == k0 && b == k1) {
        return true;
      }
      if (a == 0 && b == 0) {
        return false;
      }
    }
  }

  /** Adds {@code id}; no effect if it is already there. */
  public void add(Bytes id) {
    long k0 = word(id, 0);
    long k1 = word(id, 8);
    if (k0 == 0 && k1 == 0) {
      hasZero = true;
      return;
    }
    if (2 * (size + 1) > mask + 1) {
      grow();
    }
    insert(k0, k1);
  }

  /** Empties the set, sized for about {@code expected} ids (so it shrinks after a burst); returns it. */
  public IdSet cleared(int expected) {
    int capacity = capacityFor(expected);
    if (capacity == mask + 1) {
      Arrays.fill(keys, 0);
      size = 0;
      hasZero = false;
    } else {
      allocate(capacity);
    }
    return this;
  }

  private static int capacityFor(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity < 2 * expected && capacity < (1 << 29)) {
      capacity <<= 1;
    }
    return capacity;
  }

  private void allocate(int capacity) {
    keys = new long[capacity * 2];
    mask = capacity - 1;
    size = 0;
    hasZero = false;
  }

  private int slot(long k0, long k1) {
    long h = (k0 ^ (k1 * 0x9E3779B97F4A7C15L)) * seed;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void insert(long k0, long k1) {
    for (int i = slot(k0, k1); ; i = (i + 1) & mask) {
      long a = keys[2 * i];
      long b = keys[2 * i + 1];
      if (a == 0 && b == 0) {
        keys[2 * i] = k0;
        keys[2 * i + 1] = k1;
        size++;
        return;
      }
      if (a == k0 && b == k1) {
        return;
      }
    }
  }

  private void grow() {
    long[] old = keys;
    allocate((mask + 1) * 2);
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != 0 || old[i + 1] != 0) {
        insert(old[i], old[i + 1]);
      }
    }
  }

  private static long word(Bytes id, int offset) {
    byte[] b = BytesInternals.array(id);
    if (b.length >= offset + 8) {
      return (long) BIG_ENDIAN_LONG.get(b, offset);
    }
    long w = 0; // a short id (only from tests and hostile peers): zero-padded on the right
    for (int i = offset; i < b.length; i++) {
      w |= (b[i] & 0xFFL) << (8 * (7 - (i - offset)));
    }
    return w;
  }
}
