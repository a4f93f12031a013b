package org.syncmesh.mesh;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.syncmesh.Bytes;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Base58;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * Requests and responses (docs/protocol-0.7.md §9), on the protocol thread: answering {@code "*"} with our
 * peers list, answering route requests for peers we know, and the requester's side of a reply to
 * a sender we are not connected to: flood a request, connect to the first answer, then whisper.
 * Both reference peers get the requester's side wrong (§9.1); this is the intended behaviour.
 * Pending requests expire after a minute.
 */
final class RequestHandler {

  private static final long TTL_SECONDS = 60;

  private final MeshNode node;

  RequestHandler(MeshNode node) {
    this.node = node;
  }

  void handleRequest(Peer from, InternalMessage message) {
    List<Object> payload = message.payload();
    if (payload.size() == 2 && "*".equals(HandshakeHandler.text(payload.get(1)))) {
      node.peersHandler.sendPeers(from);
      return;
    }
    if (payload.size() < 3) {
      return;
    }
    String target = HandshakeHandler.text(payload.get(2));
    Peer known = target == null ? null : node.routing.get(target);
    if (known == null || !known.hasAddress() || known == from) {
      return;
    }
    // The requester dials the route it gets: only answer with one it can handshake with (issue 10).
    Peer requester = node.routing.get(message.senderId());
    if (requester != null ? !PeerExchangeRule.mayAdvertise(known, requester)
        : !PeerExchangeRule.mayAdvertiseToUnlinked(known, message.senderIsBin())) {
      return;
    }
    // The answer goes back on the arrival link only, flagged broadcast so it floods from there.
    List<Object> route = List.of(List.of(known.host, (long) known.port), PeersHandler.idFor(known, from));
    InternalMessage response = InternalMessage.create(Flags.MAIN_BROADCAST, node.id, node.nowSeconds(),
        List.of(Flags.SUB_RESPONSE, payload.get(1), route));
    node.waterfall.firstSighting(response.id(), response.time(), node.nowSeconds());
    from.send(OutboundFrame.of(response, node.codec));
  }

  void handleResponse(InternalMessage message) {
    List<Object> payload = message.payload();
    if (payload.size() < 3) {
      return;
    }
    String requestId = HandshakeHandler.text(payload.get(1));
    MeshNode.PendingRequest pending = requestId == null ? null : node.pendingRequests.remove(requestId);
    if (pending == null || !(payload.get(2) instanceof List<?> route) || route.size() < 2
        || !(route.get(0) instanceof List<?> addr) || addr.size() < 2 || !(addr.get(1) instanceof Long port)) {
      return;
    }
    String host = HandshakeHandler.text(addr.get(0));
    if (host == null || node.routing.containsKey(pending.targetId())) {
      deliver(pending);
      return;
    }
    node.pendingRequests.put(requestId, pending); // until the new link registers the target
    node.connections.open(host, (int) (long) port, new CompletableFuture<>(), false);
  }

  /** Floods a request for a route to {@code target} and parks the whisper until it is found. */
  void requestRoute(String target, boolean targetIsBin, List<Object> whisperPayload) {
    long now = node.nowSeconds();
    node.pendingRequests.values().removeIf(p -> p.createdSeconds() < now - TTL_SECONDS);
    String requestId = requestId(target, now);
    node.pendingRequests.put(requestId, new MeshNode.PendingRequest(target, whisperPayload, now));
    Object targetPacket = targetIsBin ? Bytes.utf8(target) : target;
    node.send(InternalMessage.create(Flags.MAIN_BROADCAST, node.id, now, List.of(Flags.SUB_REQUEST, requestId,
        targetPacket)), p -> true);
  }

  /** A newly registered peer may be the target of parked whispers. */
  void peerRegistered(Peer peer) {
    node.pendingRequests.values().removeIf(p -> {
      if (p.targetId().equals(peer.id)) {
        deliver(p);
        return true;
      }
      return false;
    });
  }

  private void deliver(MeshNode.PendingRequest pending) {
    node.whisper(pending.targetId(), pending.payload());
  }

  /** base58(SHA-384(target + base58(now))), as both peers compute it (§9.1). */
  private static String requestId(String target, long now) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-384");
      byte[] digest = sha.digest((target + Base58.encode(BigInteger.valueOf(now))).getBytes(StandardCharsets.UTF_8));
      return Base58.encode(new BigInteger(1, digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 is required of every JVM", e);
    }
  }
}
