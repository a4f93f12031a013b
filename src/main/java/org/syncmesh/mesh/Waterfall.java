package org.syncmesh.mesh;

import java.util.HashMap;
import java.util.Map;
import org.syncmesh.wire.Bytes;

/**
 * De-duplication of broadcasts (PROTOCOL §8.2), the "waterfall" of js2p and py2p.
 *
 * <p>A broadcast is new when its id has not been seen; since the id hashes the body, which holds
 * the time, the id stands for the pair (id, time). Broadcasts older than
 * {@value #MAX_AGE_SECONDS} s by the local clock are refused before the check, as both peers do,
 * so an id only needs remembering while its message could still pass that check.
 *
 * <p>Design: ids live in two generations of a primitive open-addressing set keyed by the first 16
 * bytes of the SHA-256 id (a collision needs 2<sup>64</sup> messages). New ids enter the current
 * generation; every {@value #KEEP_SECONDS} s the current one becomes the previous one and the old
 * previous one is emptied. So every id is kept at least {@value #KEEP_SECONDS} s and at most twice
 * that, lookups touch two arrays, and nothing is allocated per message. The rare future-dated
 * message (time ahead of the local clock) goes to a small map kept until
 * {@value #KEEP_SECONDS} s past its time, capped at {@value #FUTURE_CAP_SECONDS} s ahead so a
 * hostile peer cannot pin entries forever. Expiry depends on no timer.
 *
 * <p>Not thread-safe: confined to the node's protocol executor.
 */
final class Waterfall {

  static final long MAX_AGE_SECONDS = 60;
  static final long KEEP_SECONDS = 61;
  static final long FUTURE_CAP_SECONDS = 600;

  private IdSet current = new IdSet(1024);
  private IdSet previous = new IdSet(1024);
  private long rotateAt = Long.MIN_VALUE;
  private final Map<Bytes, Long> futureDated = new HashMap<>();

  /** True when a broadcast with this time is too old to accept at {@code nowSeconds}. */
  static boolean tooOld(long messageTime, long nowSeconds) {
    return messageTime < nowSeconds - MAX_AGE_SECONDS;
  }

  /**
   * Records {@code id} and returns true if it was not seen before (the caller relays and handles
   * it), false for a duplicate.
   */
  boolean firstSighting(Bytes id, long messageTime, long nowSeconds) {
    rotate(nowSeconds);
    long k0 = word(id, 0);
    long k1 = word(id, 8);
    if (current.contains(k0, k1) || previous.contains(k0, k1) || futureDated.containsKey(id)) {
      return false;
    }
    if (messageTime > nowSeconds + 1) {
      long keepUntil = Math.min(messageTime, nowSeconds + FUTURE_CAP_SECONDS) + KEEP_SECONDS;
      futureDated.put(id, keepUntil);
    } else {
      current.add(k0, k1);
    }
    return true;
  }

  private void rotate(long nowSeconds) {
    if (nowSeconds >= rotateAt) {
      // A clock jump of more than a generation empties both; nothing kept can matter then.
      IdSet emptied = previous;
      if (nowSeconds >= rotateAt + KEEP_SECONDS) {
        previous = current.cleared(0);
      } else {
        previous = current;
      }
      current = emptied.cleared(previous.size());
      rotateAt = nowSeconds + KEEP_SECONDS;
      futureDated.values().removeIf(until -> until <= nowSeconds);
    }
  }

  int size() {
    return current.size() + previous.size() + futureDated.size();
  }

  private static long word(Bytes id, int offset) {
    long w = 0;
    int end = Math.min(offset + 8, id.size());
    for (int i = offset; i < end; i++) {
      w = (w << 8) | (id.byteAt(i) & 0xFF);
    }
    return w;
  }

  /** A set of 128-bit keys, linear probing, no removal: it is only ever cleared whole. */
  private static final class IdSet {
    private long[] keys; // k0, k1 pairs; (0, 0) marks an empty slot
    private int mask;
    private int size;
    private boolean hasZero;

    IdSet(int capacity) {
      allocate(capacity);
    }

    private void allocate(int capacity) {
      keys = new long[capacity * 2];
      mask = capacity - 1;
      size = 0;
      hasZero = false;
    }

    int size() {
      return size + (hasZero ? 1 : 0);
    }

    boolean contains(long k0, long k1) {
      if (k0 == 0 && k1 == 0) {
        return hasZero;
      }
      for (int i = (int) k0 & mask; ; i = (i + 1) & mask) {
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

    void add(long k0, long k1) {
      if (k0 == 0 && k1 == 0) {
        hasZero = true;
        return;
      }
      if (2 * (size + 1) > mask + 1) {
        grow();
      }
      insert(k0, k1);
    }

    private void insert(long k0, long k1) {
      for (int i = (int) k0 & mask; ; i = (i + 1) & mask) {
        if (keys[2 * i] == 0 && keys[2 * i + 1] == 0) {
          keys[2 * i] = k0;
          keys[2 * i + 1] = k1;
          size++;
          return;
        }
        if (keys[2 * i] == k0 && keys[2 * i + 1] == k1) {
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

    /** Empties the set, sized for about {@code expected} entries (shrinks after a burst). */
    IdSet cleared(int expected) {
      int capacity = 1024;
      while (capacity < 2 * expected) {
        capacity <<= 1;
      }
      if (capacity == mask + 1) {
        java.util.Arrays.fill(keys, 0);
        size = 0;
        hasZero = false;
      } else {
        allocate(capacity);
      }
      return this;
    }
  }
}
