package org.syncmesh.mesh;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.net.Link;
import org.syncmesh.net.LinkListener;
import org.syncmesh.wire.InternalMessage;

/**
 * The life of connections, on the protocol thread: opening them (by the user or from peers
 * lists, counted against max outgoing), the handshake timeout of each new link, registration
 * after a valid handshake, and the clean-up when a link closes (routing table, waiting
 * {@code connect()} futures, the disconnect event, a request for more peers, §7.7, and a
 * redial by the {@link Redialer}).
 */
final class Connections {

  private static final Logger log = LoggerFactory.getLogger(Connections.class);

  private final MeshNode node;
  /** Outgoing connections under way, counted against max outgoing. */
  private int connectingOutgoing;
  /** Addresses whose node takes only a bin protocol id (py2p 0.7.878), as "host:port". */
  private final Set<String> binProtocolIdTargets = new HashSet<>();

  Connections(MeshNode node) {
    this.node = node;
  }

  /** Opens a connection; on the protocol thread. {@code auto}: counts against max outgoing. */
  void open(String host, int port, @Nullable CompletableFuture<PeerInfo> result, boolean auto) {
    assert node.loop.inEventLoop();
    if (node.isClosed()) {
      if (result != null) {
        result.completeExceptionally(new IllegalStateException("socket is closed"));
      }
      return;
    }
    if (auto) {
      connectingOutgoing++;
    }
    node.network().connect(host, port).whenComplete((link, error) -> node.onLoop(() -> {
      if (auto) {
        connectingOutgoing--;
      }
      if (error != null) {
        log.debug("cannot connect to {}:{}: {}", host, port, error.toString());
        if (result != null) {
          java.net.ConnectException failure = new java.net.ConnectException(
              "cannot connect to " + host + ":" + port + ": " + error.getMessage());
          failure.initCause(error); // the kind (refused, timed out, no route) for whoever reports it
          result.completeExceptionally(failure);
        }
        return;
      }
      Peer peer = node.peers.get(link);
      if (peer == null && !link.isOpen()) {
        if (result != null) {
          result.completeExceptionally(new java.net.ConnectException(
              "connection to " + host + ":" + port + " closed before its handshake"));
        }
        return;
      }
      if (peer == null) {
        peer = peerFor(link);
      }
      if (result == null) {
        return;
      }
      if (peer.handshaken && peer.registered) {
        result.complete(peer.info());
      } else {
        peer.waiters.add(result);
      }
    }));
  }

  Peer peerFor(Link link) {
    Peer peer = node.peers.get(link);
    if (peer == null) {
      peer = new Peer(link);
      node.peers.put(link, peer);
      Peer timed = peer;
      peer.handshakeTimeout = node.loop.schedule(() -> {
        if (!timed.handshaken && timed.link.isOpen()) {
          String reason = "handshake timed out after " + node.handshakeTimeoutMillis + "ms";
          log.warn("closing {}: {}", timed, reason);
          timed.link.close(reason);
        }
      }, node.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    }
    return peer;
  }

  /** Incoming links held, handshaken or not; protocol thread. */
  int incomingCount() {
    int count = 0;
    for (Link link : node.peers.keySet()) {
      if (!link.outgoing()) {
        count++;
      }
    }
    return count;
  }

  int outgoingCount() {
    int count = connectingOutgoing;
    for (Peer p : node.routingPeers()) {
      if (p.outgoing()) {
        count++;
      }
    }
    return count;
  }


  void registered(Peer peer, boolean first) {
    PeerInfo info = peer.info();
    log.info("peer {} connected: {} link with {}, advertises {}:{}, dialect {}, extension v{}", info.shortId(),
        info.outgoing() ? "outgoing" : "incoming", peer.link.remoteAddress(), info.host(), info.port(), info.dialect(),
        info.extensionVersion());
    for (CompletableFuture<PeerInfo> waiter : peer.waiters) {
      waiter.complete(info);
    }
    peer.waiters.clear();
    node.redialer.registered(peer);
    node.events().peerConnected(info, first);
    node.requests.peerRegistered(peer);
    try {
      node.extension.onPeerReady(info);
    } catch (RuntimeException e) {
      log.warn("onPeerReady failed for {}", info.id(), e);
      node.recordError("internal error after handshake with " + info.id() + ": " + e);
    }
  }


  void closed(Link link, @Nullable String reason) {
    // Recorded before the lookup: a link that failed its TLS handshake never got a Peer.
    if (reason != null && isPeerFault(reason)) {
      node.recordError(reason); // the link logged it as it closed
    }
    Peer peer = node.peers.remove(link);
    if (peer == null) {
      return;
    }
    if (peer.handshakeTimeout != null) {
      peer.handshakeTimeout.cancel(false);
    }
    node.tree.peerGone(peer);
    // An outgoing TLS link opens (and sends our handshake) only once TLS is up: closed before
    // that, with no reason of ours, the peer hung up on the TLS handshake (net drops that as no fault).
    boolean inTls = reason == null && link.outgoing() && !peer.handshakeSent
        && org.syncmesh.Protocol.SSL.equals(node.protocol.transport());
    for (CompletableFuture<PeerInfo> waiter : peer.waiters) {
      waiter.completeExceptionally(new java.net.ConnectException(inTls
          ? "connection closed during the TLS handshake: the peer hung up (a plaintext node, or one that refuses "
              + "this node's certificate)"
          : "connection closed before its handshake" + (reason == null ? "" : ": " + reason)));
    }
    peer.waiters.clear();
    if (peer.id != null && node.routing.get(peer.id) == peer) {
      node.routing.remove(peer.id);
      node.publishRouting();
      log.info("peer {} lost: {} (dialect {}, {} link)", PeerInfo.shortId(peer.id),
          reason == null ? "the peer closed the connection" : reason, peer.dialect,
          peer.outgoing() ? "outgoing" : "incoming");
      node.redialer.lost(peer, reason);
      node.events().disconnected(peer.info());
      if (!node.isClosed() && !node.routing.isEmpty() && outgoingCount() < node.maxOutgoing) {
        node.peersHandler.requestPeers();
      }
    }
  }

  // Reasons (from net and from this package) that blame the peer and so belong in status():
  // malformed input, a wrong protocol, stalls and timeouts, a full output buffer, failed TLS, a
  // stream that ended inside a frame (a message lost). Our own decisions (disconnect requested,
  // duplicate link, self) and resets are not errors.
  private static final List<String> PEER_FAULTS = List.of("malformed", "protocol mismatch", "stalled",
      "handshake timed out", "peer too slow", "peer stopped reading", "TLS handshake failed", "truncated frame",
      "error");

  private static boolean isPeerFault(String reason) {
    for (String fault : PEER_FAULTS) {
      if (reason.startsWith(fault)) {
        return true;
      }
    }
    return false;
  }

  /** Whether to send our protocol id as bin when dialling the far end of {@code link}. */
  boolean wantsBinProtocolId(Link link) {
    return binProtocolIdTargets.contains(target(link));
  }

  /**
   * Closes an outgoing link whose peer wants a bin protocol id and dials it again; whoever waits
   * on the first link's {@code connect()} gets the result of the second.
   */
  void redialWithBinProtocolId(Peer peer) {
    java.net.InetSocketAddress address = peer.link.remoteAddress();
    binProtocolIdTargets.add(target(peer.link));
    CompletableFuture<PeerInfo> redial = new CompletableFuture<>();
    List<CompletableFuture<PeerInfo>> waiters = List.copyOf(peer.waiters);
    peer.waiters.clear();
    redial.whenComplete((info, error) -> waiters.forEach(w -> {
      if (error == null) {
        w.complete(info);
      } else {
        w.completeExceptionally(error);
      }
    }));
    log.debug("{} takes only a bin protocol id (py2p 0.7.878): dialling again", address);
    peer.link.close("redialling with a bin protocol id");
    open(address.getHostString(), address.getPort(), redial, false);
  }

  private static String target(Link link) {
    java.net.InetSocketAddress address = link.remoteAddress();
    return address.getHostString() + ":" + address.getPort();
  }

  /** Bridges network events onto the protocol thread. */
  LinkListener listener() {
    return new Links();
  }

  /**
   * Messages read by other I/O threads and not yet handled; over this many, the links that
   * deliver more stop reading until half have been handled.
   */
  static final int MAX_WAITING_MESSAGES = 4096;

  private final class Links implements LinkListener {
    private final AtomicInteger waiting = new AtomicInteger();
    private final Set<Link> paused = ConcurrentHashMap.newKeySet();

    @Override
    public void linkOpened(Link link) {
      node.onLoop(() -> {
        if (!link.outgoing() && !node.peers.containsKey(link) && incomingCount() >= node.maxIncoming) {
          String reason = "refused an incoming connection from " + target(link) + ": this node holds its limit of "
              + node.maxIncoming + " incoming links (maxIncoming)";
          node.reportError(reason);
          link.close(reason);
          return;
        }
        Peer peer = peerFor(link);
        if (link.outgoing()) {
          node.handshakes.sendHandshake(peer, false);
        }
      });
    }

    @Override
    public void messageReceived(Link link, InternalMessage message) {
      if (node.loop.inEventLoop()) {
        deliver(link, message);
        return;
      }
      // Another I/O thread read it: the protocol thread may be behind, so read less meanwhile.
      if (waiting.incrementAndGet() > MAX_WAITING_MESSAGES && paused.add(link)) {
        link.setReading(false);
      }
      try {
        node.loop.execute(() -> {
          deliver(link, message);
          if (waiting.decrementAndGet() <= MAX_WAITING_MESSAGES / 2 && !paused.isEmpty()) {
            for (Link p : List.copyOf(paused)) {
              paused.remove(p);
              p.setReading(true);
            }
          }
        });
      } catch (RejectedExecutionException e) {
        // shutting down: the node is closed and the message goes nowhere
      }
    }

    private void deliver(Link link, InternalMessage message) {
      Peer peer = node.peers.get(link);
      if (peer != null) {
        node.pipeline.receive(peer, message);
      }
    }

    @Override
    public void linkClosed(Link link, @Nullable String reason) {
      node.onLoop(() -> closed(link, reason));
    }
  }
}
