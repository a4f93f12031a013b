package org.syncmesh.sync;

import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.NodeId;

/**
 * The lease rule of protocol 0.7, exactly the six conditions of docs/protocol-0.7.md §10.3. A change
 * {@code incoming = (owner_n, ts_n)} to a key whose current metadata is
 * {@code current = (owner_m, ts_m)} is accepted if any of these holds:
 *
 * <ol>
 *   <li>there is no current metadata;
 *   <li>{@code owner_m == owner_n} (the owner may change or delete, even with an older timestamp);
 *   <li>the change is a delta and leasing is off;
 *   <li>{@code ts_m < now − 3600}: the lease has expired by the receiver's clock (3600 s exactly
 *       is still live);
 *   <li>{@code ts_m == ts_n} and {@code owner_m > owner_n}: a same-second tie goes to the smaller id;
 *   <li>{@code ts_m < ts_n} and leasing is off: a strictly newer second wins.
 * </ol>
 *
 * Owners are compared as UTF-8 bytes, unsigned, whatever their msgpack type (js2p compares
 * {@code toString()}s; py2p's str-versus-bytes comparison crashes, which we do not copy).
 * js2p's default-argument bug (leasing undefined behaves as off for conditions 3 and 6) is not
 * copied either: leasing on means on.
 *
 * <p>Pure functions of their arguments; thread-safe.
 */
final class LeasePolicy {

  /** How long a write holds its key against other owners, in seconds (§10.3 condition 4). */
  static final long LEASE_SECONDS = 3600;

  private LeasePolicy() {}

  /**
   * Whether {@code incoming} may replace {@code current}.
   *
   * @param delta true for a delta (§10.5), false for a store or delete
   * @param leasing whether this node enforces leases
   * @param nowSeconds the receiver's clock, seconds UTC
   */
  static boolean accepts(@Nullable MetaTuple current, MetaTuple incoming, boolean delta, boolean leasing,
      long nowSeconds) {
    if (current == null) {
      return true; // 1
    }
    if (current.owner().equals(incoming.owner())) {
      return true; // 2 (equal strings have equal UTF-8 bytes)
    }
    if (delta && !leasing) {
      return true; // 3
    }
    if (current.timestamp() < nowSeconds - LEASE_SECONDS) {
      return true; // 4
    }
    if (current.timestamp() == incoming.timestamp()
        && NodeId.compareForLease(current.owner(), incoming.owner()) > 0) {
      return true; // 5
    }
    return !leasing && current.timestamp() < incoming.timestamp(); // 6
  }

  /** The last second, inclusive, in which {@code meta}'s lease is live. */
  static long leaseEndSeconds(MetaTuple meta) {
    return meta.timestamp() + LEASE_SECONDS;
  }
}
