package org.syncmesh.sync;

/**
 * The lease of protocol 0.7 (docs/protocol-0.7.md §10.3): a key written by one node cannot be
 * changed by another for {@value #LEASE_SECONDS} seconds after that node's last write to it, on
 * leasing networks. Who holds a lease, and when it passes, is decided by
 * {@link Resolution#tenure} from the writes' own versions and timestamps, so every node decides
 * the same (docs/extension-v1.md).
 */
final class LeasePolicy {

  /** How long a write holds its key against other owners, in seconds: 3600 exactly is still held. */
  static final long LEASE_SECONDS = 3600;

  private LeasePolicy() {}
}
