package org.syncmesh.sync;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.MeshExtension;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * The sync socket's place in the mesh: peers' stores and deltas go to the {@link StoreHandler},
 * a new peer gets the initial sync (§10.6), and js2p peers are spared what would crash them
 * (§10.7). Runs on the protocol thread.
 */
final class SyncExtension implements MeshExtension {

  private final MeshExtension.Node node;
  private final Store store;
  private final StoreHandler handler;

  SyncExtension(MeshExtension.Node node, Store store, StoreHandler handler) {
    this.node = node;
    this.store = store;
    this.handler = handler;
  }

  @Override
  public boolean handle(Message message, PeerInfo from) {
    return handler.handle(message, from);
  }

  /**
   * Initial sync (§10.6): every key with its owner and timestamp, once per link, keys as bin,
   * paced by the peer's connection (a large dictionary streams, it is not queued at once).
   */
  @Override
  public void onPeerReady(PeerInfo peer) {
    node.whisperAll(peer, new InitialSync(store, peer.dialect() == Dialect.JS2P));
  }

  /** Holds back from js2p peers what would crash them: deletes and prototype-named keys (§10.7). */
  @Override
  public boolean mayReceive(PeerInfo peer, InternalMessage message) {
    if (peer.dialect() != Dialect.JS2P) {
      return true;
    }
    int sub = message.subFlag();
    if (sub != Flags.SUB_STORE && sub != Flags.SUB_DELTA) {
      return true;
    }
    List<@Nullable Object> p = message.payload();
    return p.size() < 3 || !Keys.crashesJs2p(p.get(1), sub == Flags.SUB_STORE, p.get(2));
  }
}
