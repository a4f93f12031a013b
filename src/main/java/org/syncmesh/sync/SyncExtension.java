package org.syncmesh.sync;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.MeshExtension;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.WireFormatException;

/**
 * The sync socket's place in the mesh. Between syncmesh peers (links with extension version 1,
 * docs/extension-v1.md) writes travel versioned and anti-entropy replaces the initial sync; to
 * js2p and py2p peers the node is a plain 0.7 node: peers' stores and deltas go to the
 * {@link StoreHandler}, a new peer gets the initial sync (§10.6), a versioned write that arrives
 * here is passed on to them in its 0.7 form, and js2p peers are spared what would crash them
 * (§10.7). Runs on the protocol thread.
 */
final class SyncExtension implements MeshExtension {

  private final MeshExtension.Node node;
  private final Store store;
  private final StoreHandler handler;
  private final AntiEntropy antiEntropy;

  SyncExtension(MeshExtension.Node node, Store store, StoreHandler handler, AntiEntropy antiEntropy) {
    this.node = node;
    this.store = store;
    this.handler = handler;
    this.antiEntropy = antiEntropy;
  }

  @Override
  public boolean handle(Message message, PeerInfo from) {
    int sub = message.subFlag();
    if (sub == Flags.SUB_SM_WRITE || sub == Flags.SUB_SM_DELTA || sub == Flags.SUB_SM_SYNC) {
      if (from.extensionVersion() < 1) {
        store.droppedRemote.incrementAndGet();
        node.reportError("dropped an extension message from " + from.id() + ", whose link did not negotiate the extension");
      } else if (sub == Flags.SUB_SM_SYNC) {
        antiEntropy.onMessage(from, message.payload());
      } else {
        versionedWrite(message, from);
      }
      return true;
    }
    return handler.handle(message, from);
  }

  private void versionedWrite(Message message, PeerInfo from) {
    ExtMessages.KeyState write;
    try {
      write = ExtMessages.readWrite(message.sender(), message.time(), message.payload());
    } catch (WireFormatException | IllegalArgumentException e) {
      store.droppedRemote.incrementAndGet();
      node.reportError("dropped versioned write from " + message.sender() + " via " + from.id() + ": " + e.getMessage());
      return;
    }
    node.serially(() -> store.applyRemote(write.key(), write.entry(), message.sender(), "write"));
    passOnToPlainPeers(message, write, from);
  }

  /** Gives js2p and py2p peers the 0.7 form of a versioned write, once, as its writer would. */
  private void passOnToPlainPeers(Message message, ExtMessages.KeyState write, PeerInfo from) {
    if (!hasPlainPeer(node)) {
      return;
    }
    int sub = message.subFlag() == Flags.SUB_SM_DELTA ? Flags.SUB_DELTA : Flags.SUB_STORE;
    Object value = message.payload().get(2);
    try {
      InternalMessage plain = InternalMessage.create(Flags.MAIN_BROADCAST, message.sender(), message.time(),
          Arrays.asList(sub, write.key(), value));
      node.broadcastIfNew(node.frame(plain), p -> p.extensionVersion() == 0 && !p.id().equals(from.id()));
    } catch (IllegalArgumentException e) { // e.g. a map whose keys 0.7 would take as duplicates, or too large
      node.reportError("not passed on to js2p/py2p peers: the write of key " + Keys.render(write.key()) + " from "
          + message.sender() + ": " + e.getMessage());
    }
  }

  /** Whether any peer speaks plain 0.7 (js2p, py2p, or a syncmesh node without the extension). */
  static boolean hasPlainPeer(MeshExtension.Node node) {
    for (PeerInfo p : node.peers()) {
      if (p.extensionVersion() == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * A new peer: a syncmesh peer starts anti-entropy; any other gets the initial sync (§10.6), every
   * key with its owner and timestamp, once per link, keys as bin, paced by its connection.
   */
  @Override
  public void onPeerReady(PeerInfo peer) {
    if (peer.extensionVersion() >= 1) {
      antiEntropy.linked(peer);
    } else {
      node.whisperAll(peer, new InitialSync(store, peer.dialect() == Dialect.JS2P));
    }
  }

  /**
   * Versioned writes go only to syncmesh peers; from js2p peers is held back what would crash
   * them: deletes and prototype-named keys (§10.7).
   */
  @Override
  public boolean mayReceive(PeerInfo peer, InternalMessage message) {
    int sub = message.subFlag();
    if (sub == Flags.SUB_SM_WRITE || sub == Flags.SUB_SM_DELTA || sub == Flags.SUB_SM_SYNC) {
      return peer.extensionVersion() >= 1;
    }
    if (peer.dialect() != Dialect.JS2P || (sub != Flags.SUB_STORE && sub != Flags.SUB_DELTA)) {
      return true;
    }
    List<@Nullable Object> p = message.payload();
    return p.size() < 3 || !Keys.crashesJs2p(p.get(1), sub == Flags.SUB_STORE, p.get(2));
  }
}
