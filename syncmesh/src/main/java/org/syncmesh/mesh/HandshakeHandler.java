package org.syncmesh.mesh;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.Compression;
import org.syncmesh.wire.CompressionNegotiation;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeId;

/**
 * Handshakes (docs/protocol-0.7.md §7) and renegotiation (§9.3), on the protocol thread.
 *
 * <p>The connector sends its handshake as soon as the link is up; the acceptor waits for the
 * connector's and answers with the same msgpack type for the protocol id, which is the one type
 * that peer accepts (§2.3, §7.2). Handshakes always go out uncompressed. The first valid
 * handshake registers the link; later ones on the same link only refresh address and
 * compression (js2p sends two). Two links to one peer are settled by the intended py2p rule:
 * both ends keep the link opened by the node with the larger numeric id (§7.5).
 *
 * <p>Our handshake's compression list ends with the syncmesh extension marker
 * (docs/extension-v1.md); a peer's first valid handshake fixes the link's dialect and its
 * extension version, the highest version both ends offer, for the life of the link.
 */
final class HandshakeHandler {

  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);

  /** Frames to other syncmesh nodes below this size go out uncompressed. */
  static final int SYNCMESH_MIN_COMPRESS_BYTES = 1024;

  /**
   * Starts the close reason and error of a link to another node with this node's id (a copied
   * data directory): the {@link Redialer} does not dial it again.
   */
  static final String ID_CONFLICT = "another node uses this node's id";

  /** Starts the close reason of a link to a node on the deny list: not redialled. */
  static final String DENIED = "denied node";

  /** Starts the close reason of a secure network's link whose peer is not the member it claims to be. */
  static final String NOT_A_MEMBER = "not a member";

  private final MeshNode node;

  HandshakeHandler(MeshNode node) {
    this.node = node;
  }

  /** Sends our handshake; mirrors the peer's protocol-id type once we know it. */
  void sendHandshake(Peer peer, boolean mirror) {
    boolean bin = mirror ? peer.protocolIdIsBin : node.connections.wantsBinProtocolId(peer.link);
    Object protocolId = bin ? Bytes.utf8(node.protocolId) : node.protocolId;
    peer.sentBinProtocolId = bin;
    List<Object> address = List.of(node.outHost(), (long) node.outPort());
    // Our methods, then the extension marker: js2p and py2p ignore an id they do not know.
    List<Long> advertised = node.offer.appendTo(CompressionNegotiation.ids(node.compression));
    List<Object> payload = List.of(Flags.SUB_HANDSHAKE, node.id, protocolId, address, advertised);
    peer.handshakeSent = true;
    node.send(peer, Flags.MAIN_WHISPER, payload);
  }

  void handle(Peer peer, InternalMessage message) {
    List<Object> payload = message.payload();
    if (payload.size() != 5) {
      // Both peers ignore such handshakes silently (§7.2); the timeout ends an unregistered link.
      log.debug("{}: ignored handshake with {} packets", peer, payload.size());
      return;
    }
    Object idPacket = payload.get(1);
    Object protocolPacket = payload.get(2);
    String peerId = text(idPacket);
    String protocolId = text(protocolPacket);
    List<?> address = payload.get(3) instanceof List<?> l ? l : null;
    List<?> methods = payload.get(4) instanceof List<?> l ? l : null;
    if (peerId == null || peerId.isEmpty() || protocolId == null || address == null || address.size() < 2
        || text(address.get(0)) == null || !(address.get(1) instanceof Long port) || methods == null) {
      node.network().failures().handshakeFailed("malformed");
      peer.link.close("malformed handshake from " + peer.link.remoteAddress() + ": " + payload);
      return;
    }
    if (!protocolId.equals(node.protocolId) || peerId.equals(node.id)) {
      // Answer before closing so the connector can tell the user why (it checks ours too).
      if (!peer.handshakeSent) {
        peer.protocolIdIsBin = protocolPacket instanceof Bytes;
        sendHandshake(peer, true);
      }
    }
    if (!protocolId.equals(node.protocolId)) {
      node.network().failures().handshakeFailed("protocol");
      peer.link.close("protocol mismatch: peer " + peer.link.remoteAddress() + " speaks " + protocolId
          + ", this node " + node.protocolId + " (" + node.protocol + ")");
      return;
    }
    if (peerId.equals(node.id)) {
      String host = text(address.get(0));
      if (port == node.outPort() && node.outHost().equals(host)) {
        peer.link.close("connected to self"); // it advertises our own address: it is this node
        return;
      }
      String reason = ID_CONFLICT + " " + node.id + " (it advertises " + host + ":" + port + ", link "
          + (peer.outgoing() ? "to " : "from ") + peer.link.remoteAddress() + "): is its data directory a copy of this "
          + "node's? Each node needs a directory of its own (start the copy empty to get a new id); link refused, "
          + "nothing merged";
      log.error(reason);
      node.recordError(reason);
      node.network().failures().handshakeFailed("id_conflict");
      peer.link.close(reason);
      return;
    }
    if (!peer.handshaken && refused(peer, peerId)) {
      return;
    }
    if (!peer.handshaken && peer.outgoing() && protocolPacket instanceof Bytes && !peer.sentBinProtocolId) {
      // Only py2p 0.7.878 sends its protocol id as bin, and it refuses ours as str (§2.3): it
      // has already dropped this link, so dial again, this time with bin (§7.2's fallback).
      node.connections.redialWithBinProtocolId(peer);
      return;
    }
    List<Long> advertised = integers(methods);
    if (peer.handshaken) {
      if (peerId.equals(peer.id)) {
        peer.host = text(address.get(0));
        peer.port = (int) (long) port;
        peer.changed();
        applyCompression(peer, advertised);
        node.publishRouting();
      }
      return;
    }
    peer.id = peerId;
    peer.idIsBin = idPacket instanceof Bytes;
    peer.protocolIdIsBin = protocolPacket instanceof Bytes;
    peer.host = text(address.get(0));
    peer.port = port > 0 && port <= 65_535 ? (int) (long) port : 0;
    Optional<ExtensionOffer> offer = ExtensionOffer.find(methods);
    peer.dialect = dialect(peer.idIsBin, peer.protocolIdIsBin, offer);
    peer.extensionVersion = offer.map(node.offer::highestCommonVersion).orElse(0);
    log.debug("{}: dialect {}, extension offer {}, extension version {}", peer, peer.dialect, offer, peer.extensionVersion);
    peer.handshaken = true;
    peer.changed();
    if (peer.handshakeTimeout != null) {
      peer.handshakeTimeout.cancel(false);
    }
    if (!peer.handshakeSent) {
      sendHandshake(peer, true);
    }
    applyCompression(peer, advertised);
    Peer existing = node.routing.get(peerId);
    if (existing != null && existing != peer && existing.port > 0 && peer.port > 0
        && (existing.port != peer.port || !existing.host.equals(peer.host))) {
      // One node advertises one address: two at once are two nodes with one id (a copied data
      // directory), or one that restarted elsewhere while its old link lingers.
      String warning = "two links claim node id " + peerId + " with different addresses (" + existing.host + ":"
          + existing.port + " and " + peer.host + ":" + peer.port + "): two nodes started on copies of one data "
          + "directory, or one restarted on another address while its old link lingers; keeping one link";
      node.reportError(warning);
    }
    if (existing != null && existing != peer) {
      if (keepExisting(peerId, peer.outgoing())) {
        for (var waiter : peer.waiters) {
          waiter.complete(existing.info());
        }
        peer.waiters.clear();
        peer.link.close("duplicate connection to " + peerId + ": keeping the other one");
        return;
      }
      node.routing.remove(peerId);
      existing.registered = false;
      existing.link.close("duplicate connection to " + peerId + ": keeping the newer one");
    }
    boolean first = node.routing.isEmpty();
    node.routing.put(peerId, peer);
    peer.registered = true;
    node.publishRouting();
    node.peersHandler.sendPeers(peer);
    node.connections.registered(peer, first && existing == null);
  }

  /**
   * Refuses, with a logged and reported reason, a peer on the deny list, and in a secure network
   * a peer whose certificate does not name the id it claims (the certificate says who it is).
   */
  private boolean refused(Peer peer, String peerId) {
    node.refreshDenyList();
    String reason = null;
    String kind = "not_member";
    if (node.isDenied(peerId)) {
      kind = "denied";
      reason = DENIED + " " + peerId + " refused (link " + (peer.outgoing() ? "to " : "from ")
          + peer.link.remoteAddress() + "): it is on this node's deny list";
    } else if (node.secure()) {
      Optional<String> certified = peer.link.peerCertificateId();
      if (certified.isEmpty()) {
        reason = NOT_A_MEMBER + ": the peer at " + peer.link.remoteAddress() + " claims node id " + peerId
            + " but its certificate names no node id; link refused";
      } else if (!certified.get().equals(peerId)) {
        reason = NOT_A_MEMBER + ": the peer at " + peer.link.remoteAddress() + " claims node id " + peerId
            + " but its certificate was issued to node " + certified.get() + "; link refused";
      }
    }
    if (reason == null) {
      return false;
    }
    node.reportError(reason);
    node.network().failures().handshakeFailed(kind);
    node.redialer.forget(peer);
    peer.link.close(reason);
    return true;
  }

  /** §7.5 as intended: keep the link whose initiator has the larger numeric id. */
  private boolean keepExisting(String peerId, boolean newLinkOutgoing) {
    Optional<BigInteger> mine = NodeId.numericValue(node.id);
    Optional<BigInteger> theirs = NodeId.numericValue(peerId);
    boolean iAmLarger = mine.isPresent() && theirs.isPresent()
        ? mine.get().compareTo(theirs.get()) > 0
        : NodeId.compareForLease(node.id, peerId) > 0;
    return iAmLarger ^ newLinkOutgoing;
  }

  /** Renegotiate compression or resend (§9.3); we answer but never start either. */
  void renegotiate(Peer peer, InternalMessage message) {
    List<Object> payload = message.payload();
    if (message.subFlag() == Flags.SUB_COMPRESSION) {
      if (payload.size() < 2 || !(payload.get(1) instanceof List<?> methods)) {
        return;
      }
      List<Long> old = peer.advertisedCompression;
      List<Long> advertised = integers(methods);
      applyCompression(peer, advertised);
      // js2p crashes on renegotiate (§9.3), so only other peers get py2p's answer.
      if (peer.dialect != Dialect.JS2P && !old.equals(advertised)) {
        List<Compression> agreed = new ArrayList<>();
        for (Compression c : node.compression) {
          if (advertised.contains((long) c.id())) {
            agreed.add(c);
          }
        }
        node.send(peer, Flags.MAIN_RENEGOTIATE, List.of(Flags.SUB_COMPRESSION, CompressionNegotiation.ids(agreed)));
      }
    } else if (peer.lastSent != null && peer.dialect != Dialect.JS2P) {
      peer.link.send(peer.lastSent);
    }
  }

  private void applyCompression(Peer peer, List<Long> advertised) {
    peer.advertisedCompression = advertised;
    // Our own decoder settles raw frames first, so small frames to our own kind skip the codec;
    // js2p and py2p try their codecs before raw, so they always get what they advertised.
    int minCompressBytes = peer.dialect == Dialect.SYNCMESH ? SYNCMESH_MIN_COMPRESS_BYTES : 0;
    peer.link.setCompression(
        CompressionNegotiation.choose(node.compression, advertised).orElse(null),
        minCompressBytes,
        CompressionNegotiation.decodeOrder(advertised, node.compression));
  }

  /**
   * A peer with the extension marker is one of ours, whatever its ranges overlap with; without
   * it, bin ids are py2p (the protocol id's type tells the build) and text ids are js2p, the most
   * restrictive guess. bz2 and lzma no longer count: py2p offers them too, and only the marker
   * is a promise.
   */
  static Dialect dialect(boolean idIsBin, boolean protocolIdIsBin, Optional<ExtensionOffer> offer) {
    if (offer.isPresent()) {
      return Dialect.SYNCMESH;
    }
    if (idIsBin) {
      return protocolIdIsBin ? Dialect.PY2P_0_7_878 : Dialect.PY2P_0_7_870;
    }
    return Dialect.JS2P;
  }

  /** A str or bin packet as text, or null for anything else. */
  static @Nullable String text(@Nullable Object packet) {
    if (packet instanceof String s) {
      return s;
    }
    if (packet instanceof Bytes b) {
      return b.utf8();
    }
    return null;
  }

  private static List<Long> integers(List<?> values) {
    List<Long> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (v instanceof Long l) {
        out.add(l);
      }
    }
    return List.copyOf(out);
  }
}
