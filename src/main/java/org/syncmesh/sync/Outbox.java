package org.syncmesh.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.IdSet;
import org.syncmesh.wire.InternalMessage;

/**
 * Makes this node's store and delta broadcasts so that no two share a message id.
 *
 * <p>The id is the SHA-256 of the body, and the body holds only a one-second timestamp, so the
 * same content sent twice in one second has one id and peers drop the second copy as a
 * duplicate: {@code set(k,"a"); set(k,"b"); set(k,"a")} would leave every peer at "b"
 * (docs/protocol-0.7.md §13.8, FINDINGS #14). Nothing is added to the wire; instead a message whose id was
 * already sent in its second is stamped with the next second, and later messages are never
 * stamped earlier than an earlier one, so timestamps from this node never go backwards and
 * peers apply its writes in the order they were made. A second ahead of the clock is harmless:
 * peers accept future timestamps (§8.2).
 *
 * <p>Confined to the node's single writer (its steps), except {@link #earliestSeconds}, which a
 * caller's thread reads to encode a write before it enters the node; {@link #accepts} then
 * confirms the guess in the write's step, and {@link #create} encodes again in the rare case it
 * was wrong.
 */
final class Outbox {

  private final String selfId;
  private volatile long lastSeconds;
  /** Ids sent per second; only seconds not yet past are kept (usually one or two). */
  private final Map<Long, IdSet> sent = new HashMap<>();
  private long prunedAt = Long.MIN_VALUE;

  Outbox(String selfId) {
    this.selfId = selfId;
  }

  /**
   * Encodes a broadcast of {@code payload} with the earliest time, not before {@code nowSeconds}
   * nor before the last message, whose id has not been sent. Nothing is recorded until
   * {@link #commit}.
   *
   * @throws IllegalArgumentException if the payload cannot be encoded
   */
  InternalMessage create(List<?> payload, long nowSeconds) {
    prune(nowSeconds);
    long time = Math.max(nowSeconds, lastSeconds);
    while (true) {
      InternalMessage message = InternalMessage.create(Flags.MAIN_BROADCAST, selfId, time, payload);
      IdSet ids = sent.get(time);
      if (ids == null || !ids.contains(message.id())) {
        return message;
      }
      time++;
    }
  }

  /** The earliest time a new message may carry, given {@code nowSeconds}; any thread. */
  long earliestSeconds(long nowSeconds) {
    return Math.max(nowSeconds, lastSeconds);
  }

  /**
   * Whether {@code message}, encoded on another thread, may be sent as it is: not earlier than
   * the last message, and its id not yet sent in its second.
   */
  boolean accepts(InternalMessage message, long nowSeconds) {
    prune(nowSeconds);
    if (message.time() < lastSeconds) {
      return false;
    }
    IdSet ids = sent.get(message.time());
    return ids == null || !ids.contains(message.id());
  }

  /** Records that {@code message} is being sent. */
  void commit(InternalMessage message) {
    sent.computeIfAbsent(message.time(), t -> new IdSet(0)).add(message.id());
    lastSeconds = Math.max(lastSeconds, message.time());
  }

  private void prune(long nowSeconds) {
    if (nowSeconds != prunedAt) {
      prunedAt = nowSeconds;
      sent.keySet().removeIf(t -> t < nowSeconds);
    }
  }

  /** Seconds with recorded ids, for tests. */
  int trackedSeconds() {
    return sent.size();
  }
}
