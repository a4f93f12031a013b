/**
 * The sync socket: a dictionary replicated over a protocol-0.7 mesh, with optional leases
 * (docs/protocol-0.7.md §10), wire-compatible with js2p 0.7.870 and py2p 0.7.
 *
 * <p>Entry point: {@link org.syncmesh.sync.SyncSocket}. Each key carries a
 * {@link org.syncmesh.sync.MetaTuple} (owner, timestamp); a refused local write throws
 * {@link org.syncmesh.sync.LeaseException}; changes are reported to a
 * {@link org.syncmesh.sync.SyncListener}. The lease rule lives in {@code LeasePolicy}, the
 * data and its one write lock in {@code Store}, and peers' store and delta messages are read
 * by {@code StoreHandler}. {@code HybridClock} issues the versions of the syncmesh extension
 * (docs/extension-v1.md), refusing with {@link org.syncmesh.sync.ClockDriftException}; the store
 * does not use it yet. This package knows messages, never sockets.
 */
@NullMarked
package org.syncmesh.sync;

import org.jspecify.annotations.NullMarked;
