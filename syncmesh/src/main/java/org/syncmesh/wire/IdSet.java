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
 * adding allocates nothing until the table grows; there is no removal of one id, only of all
 * ({@link #cleared}) or of a generation ({@link #nextGeneration}). Built for the two places that
 * remember recent ids: the mesh's de-duplication, which keeps two generations in one table so
 * that a new id costs one probe sequence and not one per generation, and the sync socket's outbox.
 * Not thread-safe.
 */
public final class IdSet {

  private static final int MIN_CAPACITY = 1024;
  private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Random per set: a peer can mint ids whose low bits collide, not ones that collide here. */
  private final long seed = ThreadLocalRandom.current().nextLong() | 1;
  private long[] keys; // k0, k1 pairs; (0, 0) marks an empty slot
  private long[] generations; // bit i: the generation (0 or 1) slot i's id was added in
  private int mask;
  private final int[] sizes = new int[2]; // ids in the table per generation
  private int generation; // of ids added now
  private int zeroGeneration = -1; // the all-zero id: -1 absent, else its generation

  /** An empty set with room for about {@code expected} ids before it grows. */
  public IdSet(int expected) {
    allocate(capacityFor(expected));
  }

  /** How many ids the set holds. */
  public int size() {
    return sizes[0] + sizes[1] + (zeroGeneration >= 0 ? 1 : 0);
  }

  /** Whether an id with the same first 16 bytes was added. */
  public boolean contains(Bytes id) {
    long k0 = word(id, 0);
    long k1 = word(id, 8);
    if (k0 == 0 && k1 == 0) {
      return zeroGeneration >= 0;
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

  /**
   * Adds {@code id} to the current generation and returns true, or returns false if it is already
   * there (in either generation, which it keeps).
   */
  public boolean add(Bytes id) {
    long k0 = word(id, 0);
    long k1 = word(id, 8);
    if (k0 == 0 && k1 == 0) {
      if (zeroGeneration >= 0) {
        return false;
      }
      zeroGeneration = generation;
      return true;
    }
    if (2 * (sizes[0] + sizes[1] + 1) > mask + 1) {
      grow();
    }
    return insert(k0, k1, generation);
  }

  /** Empties the set, sized for about {@code expected} ids (so it shrinks after a burst); returns it. */
  public IdSet cleared(int expected) {
    int capacity = capacityFor(expected);
    if (capacity == mask + 1) {
      Arrays.fill(keys, 0);
      Arrays.fill(generations, 0);
      sizes[0] = 0;
      sizes[1] = 0;
    } else {
      allocate(capacity);
    }
    zeroGeneration = -1;
    return this;
  }

  /**
   * Starts a new generation: the ids added before the previous call are forgotten, those added
   * since are kept, and ids added from now on are the new generation. So with a call every T
   * seconds an id is kept at least T and at most 2T. The table is rebuilt for what it keeps
   * (and as many more), so it shrinks after a burst.
   */
  public void nextGeneration() {
    int kept = generation;
    rebuild(capacityFor(2 * sizes[kept]), kept);
    if (zeroGeneration != kept) {
      zeroGeneration = -1;
    }
    generation = kept ^ 1;
  }

  private static int capacityFor(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity < 2 * expected && capacity < (1 << 29)) {
      capacity <<= 1;
    }
    return capacity;
  }

  /** A fresh, empty table; the all-zero id, kept beside it, is the caller's to keep or drop. */
  private void allocate(int capacity) {
    keys = new long[capacity * 2];
    generations = new long[(capacity + 63) / 64];
    mask = capacity - 1;
    sizes[0] = 0;
    sizes[1] = 0;
  }

  private static int generationOf(long[] generations, int slot) {
    return (int) (generations[slot >>> 6] >>> slot) & 1; // a long shift takes the slot's low 6 bits
  }

  private int slot(long k0, long k1) {
    long h = (k0 ^ (k1 * 0x9E3779B97F4A7C15L)) * seed;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private boolean insert(long k0, long k1, int inGeneration) {
    for (int i = slot(k0, k1); ; i = (i + 1) & mask) {
      long a = keys[2 * i];
      long b = keys[2 * i + 1];
      if (a == 0 && b == 0) {
        keys[2 * i] = k0;
        keys[2 * i + 1] = k1;
        if (inGeneration == 1) {
          generations[i >>> 6] |= 1L << i;
        }
        sizes[inGeneration]++;
        return true;
      }
      if (a == k0 && b == k1) {
        return false;
      }
    }
  }

  private void grow() {
    rebuild((mask + 1) * 2, -1);
  }

  /** Moves the ids into a new table of {@code capacity} slots: those of generation {@code only}, or all if it is -1. */
  private void rebuild(int capacity, int only) {
    long[] oldKeys = keys;
    long[] oldGenerations = generations;
    allocate(capacity);
    for (int i = 0; i < oldKeys.length; i += 2) {
      if (oldKeys[i] == 0 && oldKeys[i + 1] == 0) {
        continue;
      }
      int g = generationOf(oldGenerations, i / 2);
      if (only < 0 || g == only) {
        insert(oldKeys[i], oldKeys[i + 1], g);
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
