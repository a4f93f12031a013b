package org.syncmesh.sync;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.Packets;

/**
 * Reads peers' store and delta messages (docs/protocol-0.7.md §10.2, §10.5, §10.6) and hands them to the
 * {@link Store}:
 *
 * <pre>
 * store        [main | 11, key, value]                     meta = (sender, time)
 * initial sync [main | 11, key, value, owner, timestamp]   meta as claimed
 * delta        [main | 17, key, map]                       meta = (sender, time)
 * </pre>
 *
 * Keys may be str or bin (js2p dumps str keys); owners may be str or bin; a timestamp may be
 * an integer or a float (js2p after 2038). Anything else is dropped and counted: a peer's bad
 * message never throws here, so it never costs the link. Runs on the protocol thread; the change
 * itself runs as a step of the node's single writer ({@link MeshExtension.Node#serially}).
 */
final class StoreHandler {

  /** The largest timestamp kept: {@link java.time.Instant#MAX} less a lease, so lease ends stay Instants. */
  static final long MAX_SECONDS = java.time.Instant.MAX.getEpochSecond() - LeasePolicy.LEASE_SECONDS;

  private final Store store;
  private final Store.Effects effects;
  private final MeshExtension.Node node;

  StoreHandler(Store store, Store.Effects effects, MeshExtension.Node node) {
    this.store = store;
    this.effects = effects;
    this.node = node;
  }

  /** Takes a store or delta and returns true; returns false for any other message. */
  boolean handle(Message message, PeerInfo from) {
    int sub = message.subFlag();
    if (sub != Flags.SUB_STORE && sub != Flags.SUB_DELTA) {
      return false;
    }
    List<@Nullable Object> p = message.payload();
    String sender = message.sender();
    Bytes key = p.size() >= 3 ? Keys.fromWire(p.get(1)) : null;
    if (key == null) {
      drop(message, from, "no str or bin key");
      return true;
    }
    MetaTuple header = new MetaTuple(sender, clamp(message.time()));
    boolean senderBin = Extensions.wire(message).senderIsBin();
    if (sub == Flags.SUB_DELTA) {
      if (p.size() != 3 || !(p.get(2) instanceof Map<?, ?> delta)) {
        drop(message, from, "a delta needs [17, key, map]");
      } else {
        node.serially(store.linkDrops.attributed(store, from.id(),
            () -> store.remoteDelta(key, delta, header, senderBin, sender)));
      }
    } else if (p.size() == 3) {
      Object value = p.get(2);
      node.serially(store.linkDrops.attributed(store, from.id(),
          () -> store.remoteStore(key, value, header, senderBin, false, sender)));
    } else if (p.size() == 5) {
      Object owner = p.get(3);
      long timestamp = seconds(p.get(4));
      if (!(owner instanceof String || owner instanceof Bytes) || timestamp < 0) {
        drop(message, from, "an initial-sync store needs a str or bin owner and a timestamp");
      } else {
        String ownerId = owner instanceof Bytes b ? b.utf8() : (String) owner;
        Object value = p.get(2);
        MetaTuple claimed = new MetaTuple(ownerId, timestamp);
        node.serially(store.linkDrops.attributed(store, from.id(),
            () -> store.remoteStore(key, value, claimed, owner instanceof Bytes, true, sender)));
      }
    } else {
      drop(message, from, "a store has 3 or 5 packets");
    }
    return true;
  }

  private void drop(Message message, PeerInfo from, String why) {
    store.droppedRemote.incrementAndGet();
    store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
    effects.dropped("dropped malformed sync message from " + message.sender() + " (" + why + "): "
        + Packets.describe(message.payload()));
  }

  /** Whole seconds from an integer or a finite float; -1 for anything else. */
  private static long seconds(@Nullable Object t) {
    if (t instanceof Long l) {
      return l < 0 ? -1 : clamp(l);
    } else if ((t instanceof Double || t instanceof Float) && Double.isFinite(((Number) t).doubleValue())
        && ((Number) t).doubleValue() >= 0) {
      return clamp((long) ((Number) t).doubleValue());
    } else if (t instanceof java.math.BigInteger) {
      return MAX_SECONDS;
    }
    return -1;
  }

  /** Far-future timestamps (a lease squatted "forever", §10.3) saturate where Instant still works. */
  private static long clamp(long seconds) {
    return Math.max(0, Math.min(seconds, MAX_SECONDS));
  }
}
