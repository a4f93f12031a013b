package org.syncmesh.mesh;

import java.util.HashMap;
import java.util.Map;

/**
 * The origins whose tree this node is cut off from (docs/extension-v3.md §3, rule 9): its parent link
 * for them closed, or its parent said its own path broke. An origin stays here until the node
 * hears from it (a first receipt of one of its broadcasts) or for {@code forNanos}, whichever
 * comes first; the bound keeps a quiet origin from holding the node in its hurry for long.
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

  /** A broadcast of {@code origin} arrived first-hand: this node is no longer cut off from it. */
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
