package org.syncmesh.sync;

import java.util.HashMap;
import java.util.Map;
import org.syncmesh.wire.IdSet;
import org.syncmesh.wire.InternalMessage;

/**
 * Remembers the ids of the 0.7 forms this node sent in the current seconds, so that a write whose
 * 0.7 form would repeat one can move to the next second (docs/extension-v1.md §3.4).
 *
 * <p>A 0.7 message id is the SHA-256 of a body that holds only a one-second timestamp, so the
 * same content sent twice in one second has one id and js2p and py2p drop the second copy as a
 * duplicate: {@code set(k,"a"); set(k,"b"); set(k,"a")} would leave them at "b"
 * (docs/protocol-0.7.md §13.8). Nothing is added to the wire for it.
 *
 * <p>Confined to the node's single writer (its steps).
 */
final class Outbox {

  /** Ids sent per second; only seconds not yet past are kept (usually one or two). */
  private final Map<Long, IdSet> sent = new HashMap<>();
  private long prunedAt = Long.MIN_VALUE;

  /** Whether {@code message} may go out as it is: its id was not sent in its second. */
  boolean accepts(InternalMessage message, long nowSeconds) {
    prune(nowSeconds);
    IdSet ids = sent.get(message.time());
    return ids == null || !ids.contains(message.id());
  }

  /** Records that {@code message} is being sent. */
  void commit(InternalMessage message) {
    sent.computeIfAbsent(message.time(), t -> new IdSet(0)).add(message.id());
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
