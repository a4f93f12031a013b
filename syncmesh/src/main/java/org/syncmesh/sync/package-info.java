/**
 * The sync socket: a dictionary replicated over a protocol-0.7 mesh, with optional leases
 * (docs/protocol-0.7.md §10), wire-compatible with js2p 0.7.870 and py2p 0.7, and convergent
 * between syncmesh nodes (docs/extension-v1.md).
 *
 * <p>Entry point: {@link org.syncmesh.sync.SyncSocket}. Each key carries a
 * {@link org.syncmesh.sync.MetaTuple} (owner, timestamp, version, deleted); a refused local write
 * throws {@link org.syncmesh.sync.LeaseException} or {@link org.syncmesh.sync.ClockDriftException};
 * changes are reported to a {@link org.syncmesh.sync.SyncListener}, or to functional listeners
 * ({@link org.syncmesh.sync.UpdateListener}, {@link org.syncmesh.sync.DeleteListener}) that return a
 * {@link org.syncmesh.sync.Subscription}. {@link org.syncmesh.sync.SyncMap} is a typed
 * {@code ConcurrentMap} view through {@link org.syncmesh.sync.Codec}s ({@link org.syncmesh.sync.Codecs}
 * has the built-ins; {@code TypedSyncMap} and {@code TypedEntrySet} implement it). Inside: {@code Store} holds
 * every key's state and applies writes as steps of the node's single writer; {@code Resolution}
 * merges two states of a key and judges leases; {@code History} keeps a secure leasing network's
 * tenure records per key and shows the state they make, refusing early takeovers;
 * {@code HybridClock} issues versions;
 * {@code DigestTree} and {@code AntiEntropy} find and repair differences with syncmesh peers;
 * {@code ExtMessages} encodes the extension's messages; {@code StoreHandler} reads 0.7 peers'
 * stores and deltas, and {@code InitialSync} sends them the dictionary. This package knows
 * messages, never sockets.
 */
@NullMarked
package org.syncmesh.sync;

import org.jspecify.annotations.NullMarked;
