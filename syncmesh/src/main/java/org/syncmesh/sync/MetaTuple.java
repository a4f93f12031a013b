package org.syncmesh.sync;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Version;
import org.syncmesh.wire.Checks;

/**
 * Who last changed a key and when (js2p's and py2p's {@code metatuple}): the owner's node id
 * and the writer's timestamp in whole seconds UTC, and, on a syncmesh node, the change's
 * {@link Version} and whether it was a delete (a tombstone: docs/extension-v1.md §3). The owner
 * holds the key's lease for {@value LeasePolicy#LEASE_SECONDS} seconds after its last write on
 * leasing networks.
 *
 * <p>Immutable and thread-safe.
 *
 * @param owner the writer's node id, as text (an id that arrived as msgpack bin is decoded as UTF-8)
 * @param timestamp the writer's time of the change, seconds since the epoch (UTC)
 * @param version the change's version; null only for a tuple made without one
 * @param deleted true if the change was a delete: the key holds no value, only this tombstone
 */
public record MetaTuple(String owner, long timestamp, @Nullable Version version, boolean deleted) {

  /**
   * @throws NullPointerException if {@code owner} is null
   * @throws IllegalArgumentException if {@code timestamp} is negative
   */
  public MetaTuple {
    Checks.notNull(owner, "owner");
    Checks.argument(timestamp >= 0, "timestamp", timestamp, ">= 0");
  }

  /** A tuple of a value, as protocol 0.7 knows it: no version, not deleted. */
  public MetaTuple(String owner, long timestamp) {
    this(owner, timestamp, null, false);
  }

  /** {@link #timestamp()} as an instant. */
  public Instant time() {
    return Instant.ofEpochSecond(timestamp);
  }

  /**
   * The last second, inclusive, in which the owner's lease on a leasing network holds after this
   * change: {@link #timestamp()} plus {@value LeasePolicy#LEASE_SECONDS} seconds.
   */
  public long leaseEndSeconds() {
    return timestamp + LeasePolicy.LEASE_SECONDS;
  }
}
