package org.syncmesh.sync;

import java.time.Instant;
import org.syncmesh.Bytes;

/**
 * A local write to a key whose lease another node holds (docs/protocol-0.7.md §10.3, §10.4): js2p's and
 * py2p's "You don't have permission to change this yet". Nothing was stored or sent.
 *
 * <p>Unchecked: a refusal is a normal outcome on a leasing network, not a programming error, but
 * callers rarely want to be forced to handle it. Immutable.
 */
public final class LeaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Bytes key;
  private final MetaTuple holder;
  private final long leaseEndSeconds;

  LeaseException(Bytes key, MetaTuple holder, long leaseEndSeconds, boolean leasing) {
    super("cannot change key " + Keys.render(key) + ": owned by " + holder.owner() + " since "
        + holder.time() + (leasing
            ? ", leased until " + Instant.ofEpochSecond(leaseEndSeconds) + " (leases last "
                + LeasePolicy.LEASE_SECONDS + " s)"
            : " with a newer or winning timestamp (leasing off: only newer writes win)"));
    this.key = key;
    this.holder = holder;
    this.leaseEndSeconds = leaseEndSeconds;
  }

  /** The key that was refused. */
  public Bytes key() {
    return key;
  }

  /** The owner and timestamp that hold the key. */
  public MetaTuple holder() {
    return holder;
  }

  /** The owner's node id. */
  public String owner() {
    return holder.owner();
  }

  /**
   * The last second of the lease, inclusive: from the next second on, anyone may write (by this
   * node's clock, as every receiver judges by its own, §10.3 condition 4).
   */
  public Instant leaseEnd() {
    return Instant.ofEpochSecond(leaseEndSeconds);
  }
}
