package org.syncmesh.mesh;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import org.syncmesh.wire.Bytes;

/**
 * De-duplication of broadcasts (PROTOCOL §8.2), the "waterfall" of js2p and py2p.
 *
 * <p>A broadcast is new when its id has not been seen; since the id hashes the body, which holds
 * the time, the id stands for the pair (id, time). Broadcasts older than
 * {@value #MAX_AGE_SECONDS} s by the local clock are refused before the check, as both peers do.
 * An entry is kept {@value #KEEP_SECONDS} s past the later of its arrival and its message time
 * (a far-future time counts as at most {@value #FUTURE_CAP_SECONDS} s ahead, so a hostile peer
 * cannot pin entries forever). Pruning happens on insertion, oldest first; it does not depend on
 * any timer. Entries timed at arrival expire in arrival order and sit in a plain queue; the rare
 * future-dated ones sit in a priority queue, so they never hold the others back.
 *
 * <p>Not thread-safe: confined to the node's protocol executor.
 */
final class Waterfall {

  static final long MAX_AGE_SECONDS = 60;
  static final long KEEP_SECONDS = 61;
  static final long FUTURE_CAP_SECONDS = 600;

  private record Entry(Bytes id, long expiresAt) {}

  private final Map<Bytes, Entry> seen = new HashMap<>();
  private final ArrayDeque<Entry> byArrival = new ArrayDeque<>();
  private final PriorityQueue<Entry> futureDated =
      new PriorityQueue<>(Comparator.comparingLong(Entry::expiresAt));

  /** True when a broadcast with this time is too old to accept at {@code nowSeconds}. */
  static boolean tooOld(long messageTime, long nowSeconds) {
    return messageTime < nowSeconds - MAX_AGE_SECONDS;
  }

  /**
   * Records {@code id} and returns true if it was not seen before (the caller relays and handles
   * it), false for a duplicate.
   */
  boolean firstSighting(Bytes id, long messageTime, long nowSeconds) {
    prune(nowSeconds);
    if (seen.containsKey(id)) {
      return false;
    }
    long reference = Math.max(nowSeconds, Math.min(messageTime, nowSeconds + FUTURE_CAP_SECONDS));
    Entry entry = new Entry(id, reference + KEEP_SECONDS);
    seen.put(id, entry);
    (reference == nowSeconds ? byArrival : futureDated).add(entry);
    return true;
  }

  private void prune(long nowSeconds) {
    prune(byArrival, nowSeconds);
    prune(futureDated, nowSeconds);
  }

  private void prune(Queue<Entry> queue, long nowSeconds) {
    Entry head;
    while ((head = queue.peek()) != null && head.expiresAt() <= nowSeconds) {
      queue.poll();
      seen.remove(head.id(), head);
    }
  }

  int size() {
    return seen.size();
  }
}
