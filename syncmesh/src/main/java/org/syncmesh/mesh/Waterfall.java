package org.syncmesh.mesh;

import java.util.HashMap;
import java.util.Map;
import org.syncmesh.Bytes;
import org.syncmesh.wire.IdSet;

/**
 * De-duplication of broadcasts (docs/protocol-0.7.md §8.2), the "waterfall" of js2p and py2p.
 *
 * <p>A broadcast is new when its id has not been seen; since the id hashes the body, which holds
 * the time, the id stands for the pair (id, time). Broadcasts older than
 * {@value #MAX_AGE_SECONDS} s by the local clock are refused before the check, as both peers do,
 * so an id only needs remembering while its message could still pass that check.
 *
 * <p>Design: ids live in a primitive open-addressing set keyed by the first 16 bytes of the SHA-256
 * id (a collision needs 2<sup>64</sup> messages), which holds two generations in one table. New ids
 * enter the current generation; every {@value #KEEP_SECONDS} s the previous one is dropped and the
 * current one becomes the previous one ({@link IdSet#nextGeneration}). So every id is kept at least
 * {@value #KEEP_SECONDS} s and at most twice that, a new id costs one probe sequence (two tables
 * cost two, each a cache miss once they outgrow the cache), and nothing is allocated per message
 * but the table's rebuild once a generation. The rare future-dated
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

  private final IdSet recent = new IdSet(2048);
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
    if (!futureDated.isEmpty() && futureDated.containsKey(id)) {
      return false;
    }
    if (messageTime > nowSeconds + 1) {
      if (recent.contains(id)) {
        return false;
      }
      long keepUntil = Math.min(messageTime, nowSeconds + FUTURE_CAP_SECONDS) + KEEP_SECONDS;
      futureDated.put(id, keepUntil);
      return true;
    }
    return recent.add(id);
  }

  /** Whether {@code id} was seen (and is still remembered), without recording it. */
  boolean seen(Bytes id, long nowSeconds) {
    rotate(nowSeconds);
    return recent.contains(id) || futureDated.containsKey(id);
  }

  private void rotate(long nowSeconds) {
    if (nowSeconds >= rotateAt) {
      if (nowSeconds >= rotateAt + KEEP_SECONDS) {
        recent.cleared(0); // a clock jump of more than a generation: nothing kept can matter then
      } else {
        recent.nextGeneration();
      }
      rotateAt = nowSeconds + KEEP_SECONDS;
      futureDated.values().removeIf(until -> until <= nowSeconds);
    }
  }

  int size() {
    return recent.size() + futureDated.size();
  }
}
