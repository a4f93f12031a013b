package org.syncmesh.sync;

import org.syncmesh.Bytes;
import org.syncmesh.mesh.MeshListener;

/**
 * Events of a {@link SyncSocket}: the seed's {@code update(conn, key, value, meta)} and
 * {@code delete(conn, key)}, plus the mesh events it inherits. Every method has a no-op default.
 *
 * <p>Called on the socket's callback executor, never on a network thread, one event at a time
 * and in the order the changes were applied to this node's store. Local writes fire them too,
 * as in py2p and js2p. Keep them fast and do not block; an exception is logged and ignored.
 */
public interface SyncListener extends MeshListener {

  /**
   * A key was stored or a delta merged into it, locally or by a peer.
   *
   * @param value the new value (for a delta, the whole merged map)
   * @param meta the new owner and timestamp
   */
  default void onUpdate(SyncSocket socket, Bytes key, Object value, MetaTuple meta) {}

  /** A key was deleted, locally or by a peer (py2p's semantics; js2p never deletes). */
  default void onDelete(SyncSocket socket, Bytes key) {}

  /**
   * This node finished its first initial sync, with {@code peerId}: once per socket, when
   * {@link SyncSocket#awaitInitialSync()} completes, after the update events of what it brought.
   */
  default void onInitialSync(SyncSocket socket, String peerId) {}
}
