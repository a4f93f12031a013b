package org.syncmesh.mesh;

/**
 * Events of a {@link MeshSocket}. Every method has a no-op default, so new events break no one.
 *
 * <p>Called on the socket's callback executor, never on a network thread, one event at a time
 * and in order. Keep them fast; an exception thrown here is logged and otherwise ignored.
 */
public interface MeshListener {

  /** The routing table went from empty to one peer: the node is on a network. */
  default void onConnect(MeshSocket socket) {}

  /** A peer completed its handshake and is in the routing table. */
  default void onPeerConnected(MeshSocket socket, PeerInfo peer) {}

  /** A user message was queued; take it with {@link MeshSocket#recv()}. */
  default void onMessage(MeshSocket socket) {}

  /** A peer left the routing table (its connection closed). */
  default void onDisconnect(MeshSocket socket, PeerInfo peer) {}
}
