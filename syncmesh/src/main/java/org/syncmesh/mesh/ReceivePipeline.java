package org.syncmesh.mesh;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * What happens to every decoded message (docs/protocol-0.7.md §6), on the protocol thread: renegotiation,
 * then de-duplication and relay of broadcasts (flood, or the {@link BroadcastTree} on version-2
 * links), then the mesh's own handlers, the protocol handlers of a subclass, and finally the user's.
 *
 * <p>User handlers and the {@code recv()} queue are served on the callback executor, never on
 * the protocol thread, which may be the I/O thread: a slow user handler delays other user
 * callbacks, not the network. The relay has already happened by then, as in both peers.
 */
final class ReceivePipeline {

  private static final Logger log = LoggerFactory.getLogger(ReceivePipeline.class);

  private final MeshNode node;

  ReceivePipeline(MeshNode node) {
    this.node = node;
  }

  void receive(Peer peer, InternalMessage message) {
    assert node.loop.inEventLoop();
    int flag = message.type();
    int sub = message.subFlag();
    if (log.isDebugEnabled()) {
      log.debug("{}: received type {} sub-flag {}, {} packets", peer, flag, sub, message.payload().size());
    }
    if (!peer.handshaken) {
      // Nothing but a handshake counts before the handshake (§7.1: peers send nothing else first).
      if (sub == Flags.SUB_HANDSHAKE && flag == Flags.MAIN_WHISPER) {
        node.handshakes.handle(peer, message);
      } else {
        log.debug("{}: dropped sub-flag {} before handshake", peer, sub);
      }
      return;
    }
    if (flag == Flags.MAIN_RENEGOTIATE && (sub == Flags.SUB_COMPRESSION || sub == Flags.SUB_RESEND)) {
      node.handshakes.renegotiate(peer, message);
      return;
    }
    if (flag == Flags.MAIN_BROADCAST) {
      if (sub == Flags.SUB_SM_TREE) {
        node.tree.handle(peer, message); // refused: tree messages are whispers, never relayed
        return;
      }
      long now = node.nowSeconds();
      if (Waterfall.tooOld(message.time(), now)) {
        return;
      }
      if (!node.waterfall.firstSighting(message.id(), message.time(), now)) {
        node.tree.duplicate(peer, message);
        return;
      }
      node.tree.firstReceipt(peer, message);
      if (!relaysItself(message)) {
        relay(peer, message);
      }
    }
    switch (sub) {
      case Flags.SUB_HANDSHAKE -> {
        // [rec] §13.4: only whispered handshakes count; duplicates just refresh the link.
        if (flag == Flags.MAIN_WHISPER) {
          node.handshakes.handle(peer, message);
        }
        return;
      }
      case Flags.SUB_PEERS -> {
        // [rec] §13.5: a broadcast peers list would make the whole network connect somewhere.
        if (flag == Flags.MAIN_WHISPER) {
          node.peersHandler.handle(peer, message);
        }
        return;
      }
      case Flags.SUB_REQUEST -> {
        node.requests.handleRequest(peer, message);
        return;
      }
      case Flags.SUB_RESPONSE -> {
        node.requests.handleResponse(message);
        return;
      }
      case Flags.SUB_SM_TREE -> {
        node.tree.handle(peer, message);
        return;
      }
      default -> { }
    }
    Message user = new Message(message, node);
    PeerInfo from = peer.info();
    if (extensionClaims(user, from)) {
      return;
    }
    boolean queued = sub == Flags.SUB_BROADCAST || sub == Flags.SUB_WHISPER;
    List<MessageHandler> chain = node.userHandlers;
    if (chain.isEmpty()) {
      if (queued) {
        node.inbox.deliver(user);
      }
      return;
    }
    node.callback(() -> {
      if (!runChain(chain, user, from) && queued) {
        node.inbox.deliver(user);
      }
    });
  }

  private boolean extensionClaims(Message message, PeerInfo from) {
    try {
      return node.extension.handle(message, from);
    } catch (RuntimeException e) {
      log.warn("extension threw on {}; treated as not claimed", message, e);
      node.recordError("extension threw on a message from " + from.id() + ": " + e);
      return false;
    }
  }

  /** Whether the extension relays {@code message} itself, after its checks (signed writes); a throw means no. */
  private boolean relaysItself(InternalMessage message) {
    try {
      return node.extension.relaysItself(message);
    } catch (RuntimeException e) {
      log.warn("extension threw on relaysItself({}); relayed by the mesh", message, e);
      return false;
    }
  }

  private boolean runChain(List<MessageHandler> chain, Message message, PeerInfo from) {
    for (MessageHandler handler : chain) {
      try {
        if (handler.handle(message, from)) {
          return true;
        }
      } catch (RuntimeException e) {
        log.warn("handler {} threw on {}; treated as not claimed", handler, message, e);
        node.recordError("handler " + handler + " threw: " + e);
      }
    }
    return false;
  }

  /**
   * Relays the original bytes to every peer but the originator and the arrival link (§8.3): by
   * flood, or over the broadcast tree on links that run one (docs/extension-v2.md).
   */
  private void relay(Peer from, InternalMessage message) {
    String origin = message.senderId();
    OutboundFrame frame = null;
    for (Peer peer : node.routingPeers()) {
      if (peer == from || origin.equals(peer.id) || !node.mayReceive(peer.info(), message)) {
        continue;
      }
      if (frame == null) {
        frame = OutboundFrame.of(message, node.codec);
      }
      node.tree.send(peer, frame);
    }
  }
}
