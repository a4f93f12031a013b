package org.syncmesh.mesh;

import java.util.Iterator;
import java.util.List;
import org.syncmesh.MessageTooLargeException;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.Packets;

/**
 * Whispers a long run of payloads to one peer no faster than its connection takes them: up to
 * {@value #CHUNK_BYTES} bytes per event-loop turn while the link stays under its high-water mark,
 * the rest once it is writable again. An initial sync of a large dictionary therefore holds a
 * chunk or two in memory, not the whole dictionary encoded, and never trips the slow-peer limit
 * of a peer that is merely busy. The payloads are made lazily, so each reflects the state when it
 * is sent. Stops when the peer leaves or its connection closes. Confined to the protocol thread.
 */
final class WhisperStream {

  /** Bytes sent per turn: large enough to fill a socket buffer, small enough to stay fair. */
  static final int CHUNK_BYTES = 256 * 1024;

  private final MeshNode node;
  private final Peer peer;
  private final Iterator<? extends List<?>> payloads;

  WhisperStream(MeshNode node, Peer peer, Iterator<? extends List<?>> payloads) {
    this.node = node;
    this.peer = peer;
    this.payloads = payloads;
  }

  /** Sends the next chunk and schedules the one after; on the protocol thread. */
  void pump() {
    if (node.isClosed() || !peer.link.isOpen() || node.routing.get(peer.id) != peer) {
      return;
    }
    long sent = 0;
    while (sent < CHUNK_BYTES && peer.link.isWritable() && payloads.hasNext()) {
      List<?> payload = payloads.next();
      OutboundFrame frame;
      try {
        frame = node.frame(InternalMessage.create(Flags.MAIN_WHISPER, node.id, node.nowSeconds(), payload));
      } catch (IllegalArgumentException e) {
        // A peer's value near the cap can outgrow it with what a whisper adds, or a peer's map hold keys
        // that cannot be encoded again: skip it, loudly.
        node.reportError("not sent to " + peer.id + ": " + e.getMessage() + " (" + Packets.describe(payload) + ")");
        continue;
      }
      sent += frame.payloadSize();
      peer.send(frame);
    }
    if (payloads.hasNext()) {
      peer.link.whenWritable(() -> node.onLoop(this::pump));
    }
  }
}
