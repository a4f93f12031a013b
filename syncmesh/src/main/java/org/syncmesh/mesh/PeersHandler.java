package org.syncmesh.mesh;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * Peer exchange (docs/protocol-0.7.md §7.3, §7.6, §7.7), on the protocol thread: the peers list sent once per
 * link after its first handshake, auto-connect from received lists up to the outgoing limit, and
 * the {@code "*"} request for more peers after a connection drops.
 *
 * <p>Each listed id keeps the msgpack type it arrived with (py2p looks ids up type-sensitively),
 * except towards js2p, which only finds text ids. A js2p node is sent at most one entry: two
 * connectable entries crash it (§7.6).
 */
final class PeersHandler {

  private static final Logger log = LoggerFactory.getLogger(PeersHandler.class);
  // The one form of "*" that js2p and both py2p builds accept (§2.4).
  private static final Bytes STAR = Bytes.utf8("*");

  private final MeshNode node;

  PeersHandler(MeshNode node) {
    this.node = node;
  }

  void sendPeers(Peer to) {
    int limit = to.dialect == Dialect.JS2P ? 1 : Integer.MAX_VALUE;
    List<Object> entries = new ArrayList<>();
    for (Peer p : node.routingPeers()) {
      if (entries.size() >= limit) {
        break;
      }
      if (p != to && p.hasAddress() && p.id != null && PeerExchangeRule.mayAdvertise(p, to)) {
        entries.add(List.of(List.of(p.host, (long) p.port), idFor(p, to)));
      }
    }
    node.send(to, Flags.MAIN_WHISPER, List.of(Flags.SUB_PEERS, entries));
  }

  /** The id of {@code p} as {@code to} should see it. */
  static Object idFor(Peer p, Peer to) {
    return p.idIsBin && to.dialect != Dialect.JS2P ? Bytes.utf8(p.id) : p.id;
  }

  void handle(Peer from, InternalMessage message) {
    List<Object> payload = message.payload();
    if (payload.size() < 2 || !(payload.get(1) instanceof List<?> entries)) {
      log.debug("{}: ignored malformed peers list", from);
      return;
    }
    Set<String> tried = new HashSet<>();
    for (Object entry : entries) {
      dialTwin(entry);
      if (node.connections.outgoingCount() >= node.maxOutgoing) {
        continue;
      }
      if (!(entry instanceof List<?> pair) || pair.size() < 2 || !(pair.get(0) instanceof List<?> addr)
          || addr.size() < 2 || !(addr.get(1) instanceof Long port) || port <= 0 || port > 65_535) {
        continue;
      }
      String host = HandshakeHandler.text(addr.get(0));
      String id = HandshakeHandler.text(pair.get(1));
      if (host == null || host.isEmpty() || id == null || !tried.add(host + ":" + port)) {
        continue;
      }
      if (shouldConnect(host, (int) (long) port, id)) {
        node.connections.open(host, (int) (long) port, null, true);
      }
    }
  }

  /**
   * Dials, once, an address a peer lists with this node's id that is not this node's: a node
   * started on a copy of this node's data directory. The handshake then refuses the link and both
   * report it (HandshakeHandler#ID_CONFLICT); an address nobody answers at was a lingering entry.
   */
  private void dialTwin(Object entry) {
    if (entry instanceof List<?> pair && pair.size() >= 2 && pair.get(0) instanceof List<?> addr && addr.size() >= 2
        && addr.get(1) instanceof Long port && port > 0 && port <= 65_535
        && node.id.equals(HandshakeHandler.text(pair.get(1)))) {
      String host = HandshakeHandler.text(addr.get(0));
      boolean ours = port == node.outPort() && (node.outHost().equals(host) || node.bindHost().equals(host));
      if (host != null && !host.isEmpty() && !ours && twinsDialled.size() < MAX_TWIN_DIALS
          && twinsDialled.add(host + ":" + port)) {
        log.warn("a peer lists {}:{} with this node's id {}: dialling it to see whether a copy of this node runs there",
            host, port, node.id);
        node.connections.open(host, (int) (long) port, null, false);
      }
    }
  }

  private static final int MAX_TWIN_DIALS = 16;
  /** Addresses listed with this node's id that were dialled once (the protocol thread only). */
  private final Set<String> twinsDialled = new HashSet<>();

  private boolean shouldConnect(String host, int port, String id) {
    if (id.equals(node.id) || node.routing.containsKey(id)) {
      return false;
    }
    if (port == node.outPort() && (host.equals(node.outHost()) || host.equals(node.bindHost()))) {
      return false; // ourselves, by address (§7.9)
    }
    for (Peer p : node.routingPeers()) {
      if (p.port == port && p.host.equals(host)) {
        return false;
      }
    }
    return true;
  }

  /** Asks every peer for its peers list (§7.7), with {@code "*"} as bin. */
  void requestPeers() {
    for (Peer p : node.routingPeers()) {
      node.send(p, Flags.MAIN_WHISPER, List.of(Flags.SUB_REQUEST, STAR));
    }
  }
}
