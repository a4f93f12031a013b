package org.syncmesh.sync;

import java.time.Instant;
import org.syncmesh.wire.Checks;

/**
 * Who last changed a key and when (js2p's and py2p's {@code metatuple}): the owner's node id
 * and the writer's timestamp in whole seconds UTC. The owner holds the key's lease for
 * {@value LeasePolicy#LEASE_SECONDS} seconds after {@code timestamp} on leasing networks
 * (docs/protocol-0.7.md §10.3).
 *
 * <p>Immutable and thread-safe.
 *
 * @param owner the writer's node id, as text (an id that arrived as msgpack bin is decoded as UTF-8)
 * @param timestamp the writer's time of the change, seconds since the epoch (UTC)
 */
public record MetaTuple(String owner, long timestamp) {

  /**
   * @throws NullPointerException if {@code owner} is null
   * @throws IllegalArgumentException if {@code timestamp} is negative
   */
  public MetaTuple {
    Checks.notNull(owner, "owner");
    Checks.argument(timestamp >= 0, "timestamp", timestamp, ">= 0");
  }

  /** {@link #timestamp()} as an instant. */
  public Instant time() {
    return Instant.ofEpochSecond(timestamp);
  }
}
