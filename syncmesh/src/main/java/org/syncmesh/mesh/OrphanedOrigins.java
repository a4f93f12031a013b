package org.syncmesh.mesh;

import java.util.HashMap;
import java.util.Map;

/**
 * The origins whose tree a node is cut off from (docs/extension-v3.md §3, rule 9): for this node, its
 * parent link for them closed, or its parent said its own path broke; for a peer ({@link Peer#cutOff}),
 * the peer said so. An origin stays here until the node hears from it (a first receipt of one of
 * its broadcasts; for a peer's, until one is announced to the peer) or for {@code forNanos},
 * whichever comes first; the bound keeps a quiet origin from holding the node in its hurry for long.
 *
 * <p>Not thread-safe: confined to the protocol thread, as its {@link BroadcastTree}.
 */
final class OrphanedOrigins {
  private final long forNanos;
  /** Origin to when this node became orphaned for it ({@link System#nanoTime()}). */
  private final Map<String, Long> since = new HashMap<>();

  OrphanedOrigins(long forNanos) {
    this.forNanos = forNanos;
  }

  /** Records that this node is orphaned for {@code origin}; false if it already was (and still is). */
  boolean add(String origin, long nowNanos) {
    Long at = since.get(origin);
    if (at != null && nowNanos - at <= forNanos) {
      return false;
    }
    since.put(origin, nowNanos);
    return true;
  }

  /** Whether {@code origin} is here now: added within the bound and not heard from since. */
  boolean contains(String origin, long nowNanos) {
    Long at = since.get(origin);
    return at != null && nowNanos - at <= forNanos;
  }

  /** A broadcast of {@code origin} arrived first-hand (or, for a peer's, was announced to it): no longer cut off. */
  void heardFrom(String origin) {
    if (!since.isEmpty()) {
      since.remove(origin);
    }
  }

  /** Whether this node is orphaned for any origin now; forgets those past the bound. */
  boolean any(long nowNanos) {
    if (since.isEmpty()) {
      return false;
    }
    since.values().removeIf(at -> nowNanos - at > forNanos);
    return !since.isEmpty();
  }
}
