package org.syncmesh.mesh;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link MeshListener}s of one socket and the events the node gives them, each delivered
 * through the socket's {@link Callbacks}. The socket is passed to listeners as the events'
 * source. Thread-safe.
 */
final class MeshEvents {

  private final MeshSocket source;
  private final Callbacks callbacks;
  private final List<MeshListener> listeners = new CopyOnWriteArrayList<>();

  MeshEvents(MeshSocket source, Callbacks callbacks) {
    this.source = source;
    this.callbacks = callbacks;
  }

  void add(MeshListener listener) {
    listeners.add(listener);
  }

  void remove(MeshListener listener) {
    listeners.remove(listener);
  }

  void message() {
    for (MeshListener l : listeners) {
      callbacks.run(() -> l.onMessage(source));
    }
  }

  void peerConnected(PeerInfo info, boolean first) {
    for (MeshListener l : listeners) {
      if (first) {
        callbacks.run(() -> l.onConnect(source));
      }
      callbacks.run(() -> l.onPeerConnected(source, info));
    }
  }

  void disconnected(PeerInfo info) {
    for (MeshListener l : listeners) {
      callbacks.run(() -> l.onDisconnect(source, info));
    }
  }
}
