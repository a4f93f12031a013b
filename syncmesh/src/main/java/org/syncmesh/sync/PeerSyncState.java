package org.syncmesh.sync;

import java.time.Duration;
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
 * @param lastInSync when a round with this peer last found both dictionaries identical; null if
 *     none has since the link came up
 * @param lastRoundDuration how long the last round this node started with the peer took, from its
 *     first message to the peer's answer that ends it (of two syncmesh peers only the one with the
 *     smaller id starts rounds: null on the other, and before the first)
 * @param initialSyncDone true once a round has found both dictionaries identical since the link
 *     came up: this node holds what the peer held then
 * @param entriesReceived anti-entropy entries received from the peer since the link came up
 * @param peerEntries the keys and tombstones the peer held when it last started a round with this
 *     node; -1 if it has not (then an initial sync's total is not known here)
 */
public record PeerSyncState(String peerId, Dialect dialect, int extensionVersion, boolean inSync,
    @Nullable Instant lastRound, @Nullable Instant lastInSync, @Nullable Duration lastRoundDuration,
    boolean initialSyncDone, long entriesReceived, long peerEntries) {}
