package org.syncmesh.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.syncmesh.net.Link;
import org.syncmesh.net.OutboundFrame;

/**
 * The node's state for one connection. Confined to the node's protocol executor: no field is
 * read or written from any other thread.
 */
final class Peer {

  final Link link;
  /** Normalised id (text), set by the first valid handshake. */
  @Nullable String id;
  /** The msgpack type the id arrived as, echoed back in peers lists and requests (§2.4). */
  boolean idIsBin;
  /** The msgpack type of the peer's protocol id, mirrored in our handshake (§7.2). */
  boolean protocolIdIsBin;
  Dialect dialect = Dialect.JS2P;
  /** The syncmesh extension version negotiated in the handshake (docs/extension-v1.md); 0: plain 0.7. */
  int extensionVersion;
  String host = "";
  int port;
  List<Long> advertisedCompression = List.of();
  boolean handshakeSent;
  /** Whether our handshake carried the protocol id as bin. */
  boolean sentBinProtocolId;
  boolean handshaken;
  boolean registered;
  @Nullable ScheduledFuture<?> handshakeTimeout;
  @Nullable OutboundFrame lastSent;
  /** Ids waiting to be announced to the peer in one frame; in insertion order. */
  final java.util.LinkedHashSet<org.syncmesh.Bytes> announceBatch = new java.util.LinkedHashSet<>();
  /** The timer that sends {@link #announceBatch}, while one is scheduled. */
  @Nullable ScheduledFuture<?> announceFlush;
  /** Whether that timer was already put off once, for the peer's own announcement (BroadcastTree). */
  boolean announcePostponed;
  /** When the first id of {@link #announceBatch} went in ({@link System#nanoTime()}). */
  long announceSinceNanos;
  /**
   * Origins the peer said it is cut off from (an ORPHANED from a link that is not their parent here,
   * docs/extension-v3.md rule 9): the next broadcast of each is announced to it at once, not batched.
   * Null until the first such notice.
   */
  @Nullable OrphanedOrigins cutOff;
  /** Futures of {@code connect()} calls waiting for this link's handshake. */
  final List<CompletableFuture<PeerInfo>> waiters = new ArrayList<>(1);

  Peer(Link link) {
    this.link = link;
  }

  /** Whether this link runs the broadcast tree: extension version 2 or later. */
  boolean treeLink() {
    return extensionVersion >= org.syncmesh.wire.ExtensionOffer.BROADCAST_TREES;
  }

  /** Whether this link carries orphan notices: extension version 3 or later. */
  boolean orphanNotices() {
    return extensionVersion >= org.syncmesh.wire.ExtensionOffer.ORPHAN_NOTICES;
  }

  boolean outgoing() {
    return link.outgoing();
  }

  boolean hasAddress() {
    return !host.isEmpty() && port > 0;
  }

  private @Nullable PeerInfo info;

  /** The public view, cached: it is asked for on every message sent or relayed. */
  PeerInfo info() {
    PeerInfo current = info;
    if (current == null) {
      current = new PeerInfo(id == null ? "?" : id, host, port, outgoing(), dialect, extensionVersion);
      info = current;
    }
    return current;
  }

  /** Call after changing id, host, port, dialect or extension version. */
  void changed() {
    info = null;
  }

  void send(OutboundFrame frame) {
    lastSent = frame;
    link.send(frame);
  }

  @Override
  public String toString() {
    return "peer " + (id == null ? "(no handshake)" : PeerInfo.shortId(id)) + " " + link;
  }
}
