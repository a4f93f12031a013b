package org.syncmesh.mesh;

import org.syncmesh.wire.Checks;

/**
 * A handshaken peer as this node sees it.
 *
 * @param id the peer's node id (base58 text, whatever msgpack type it arrived as)
 * @param host the host the peer advertised in its handshake
 * @param port the port the peer advertised in its handshake
 * @param outgoing true when this node opened the connection
 * @param dialect which implementation the peer appears to be
 */
public record PeerInfo(String id, String host, int port, boolean outgoing, Dialect dialect) {
  public PeerInfo {
    Checks.notEmpty(id, "id");
    Checks.notNull(host, "host");
    Checks.notNull(dialect, "dialect");
  }
}
