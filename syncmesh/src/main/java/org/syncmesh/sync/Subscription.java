package org.syncmesh.sync;

/**
 * A registered listener's handle: {@link #close()} unsubscribes it. Thread-safe; closing is
 * idempotent and may be done from any thread, the listener's own callback included.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /**
   * Unsubscribes: no event starts for the listener after this returns (one already running on
   * another thread finishes). Idempotent; never throws.
   */
  @Override
  void close();
}
