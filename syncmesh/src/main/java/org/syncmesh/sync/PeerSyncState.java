package org.syncmesh.sync;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.Dialect;

/**
 * What a node knows of one peer's copy of the dictionary ({@link SyncSocket#peerSync()}).
 * Immutable and thread-safe.
 *
 * @param peerId the peer's node id
 * @param dialect how the peer speaks 0.7 (a syncmesh peer, js2p or py2p)
 * @param extensionVersion the syncmesh extension version of the link; 0 for plain 0.7
 * @param inSync true if the last anti-entropy round with this peer found both dictionaries
 *     identical (always false for plain 0.7 peers, which have no anti-entropy)
 * @param lastRound when the last anti-entropy round with this peer ended; null before the first
 */
public record PeerSyncState(String peerId, Dialect dialect, int extensionVersion, boolean inSync,
    @Nullable Instant lastRound) {}
