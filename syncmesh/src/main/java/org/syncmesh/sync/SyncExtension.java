package org.syncmesh.sync;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.Dialect;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.spi.MeshExtension;
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
  /** Secure networks (docs/extension-v1.md §8): checks every versioned write and entry; null in an open one. */
  private final @Nullable SignedWrites signing;

  SyncExtension(MeshExtension.Node node, Store store, StoreHandler handler, AntiEntropy antiEntropy) {
    this(node, store, handler, antiEntropy, null);
  }

  SyncExtension(MeshExtension.Node node, Store store, StoreHandler handler, AntiEntropy antiEntropy,
      @Nullable SignedWrites signing) {
    this.node = node;
    this.store = store;
    this.handler = handler;
    this.antiEntropy = antiEntropy;
    this.signing = signing;
  }

  @Override
  public boolean handle(Message message, PeerInfo from) {
    int sub = message.subFlag();
    if (sub == Flags.SUB_SM_WRITE || sub == Flags.SUB_SM_DELTA || sub == Flags.SUB_SM_SYNC) {
      if (from.extensionVersion() < 1) {
        store.droppedRemote.incrementAndGet();
        store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
        node.reportError("dropped an extension message from " + from.id() + ", whose link did not negotiate the extension");
      } else if (signing != null && sub == Flags.SUB_SM_SYNC && isEntries(message.payload())) {
        signedEntries(message, from, signing);
      } else if (sub == Flags.SUB_SM_SYNC) {
        antiEntropy.onMessage(from, message.payload());
      } else if (signing != null) {
        signedWrite(message, from, signing);
      } else {
        versionedWrite(message, from);
      }
      return true;
    }
    if (signing != null && (sub == Flags.SUB_STORE || sub == Flags.SUB_DELTA)) {
      // A secure network has no js2p or py2p peers, and a 0.7 write carries no signature (§8).
      refuse(from, "0.7 " + (sub == Flags.SUB_STORE ? "store" : "delta") + " from " + message.sender() + " via " + from.id(),
          "it is unsigned");
      return true;
    }
    return handler.handle(message, from);
  }

  private void versionedWrite(Message message, PeerInfo from) {
    ExtMessages.KeyState write;
    try {
      write = ExtMessages.readWrite(message.sender(), message.time(), message.payload(), store.ids());
    } catch (WireFormatException | IllegalArgumentException e) {
      store.droppedRemote.incrementAndGet();
      store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
      node.reportError("dropped versioned write from " + message.sender() + " via " + from.id() + ": " + e.getMessage());
      return;
    }
    node.serially(store.linkDrops.attributed(store, from.id(),
        () -> store.applyRemote(write.key(), write.entry(), message.sender(), "write")));
    passOnToPlainPeers(message, write, from);
  }

  // ---------------------------------------------------------------- secure networks (§8)

  /** Checks being made or waiting; past {@link #MAX_VERIFYING} writes are dropped with a status line. */
  private final AtomicInteger verifying = new AtomicInteger();
  static final int MAX_VERIFYING = 100_000;
  /** The last check's step: each message is applied after the one before it, however fast its check. Protocol thread. */
  private CompletableFuture<?> lastCheck = CompletableFuture.completedFuture(null);

  /** In a secure network versioned writes are relayed by {@link #signedWrite}, once checked, not on arrival. */
  @Override
  public boolean relaysItself(InternalMessage message) {
    int sub = message.subFlag();
    return signing != null && message.type() == Flags.MAIN_BROADCAST && (sub == Flags.SUB_SM_WRITE
        || sub == Flags.SUB_SM_DELTA || sub == Flags.SUB_STORE || sub == Flags.SUB_DELTA);
  }

  private static boolean isEntries(List<@Nullable Object> payload) {
    return payload.size() > 1 && payload.get(1) instanceof Long kind && kind == ExtMessages.ENTRIES;
  }

  /**
   * A versioned write of a secure network: checked on a verifier (signature, writer's key, denied),
   * then, in arrival order, applied as a step of the writer, and relayed only if it changed the key.
   */
  private void signedWrite(Message message, PeerInfo from, SignedWrites signing) {
    ExtMessages.SignedState write;
    try {
      write = ExtMessages.readSignedWrite(message.sender(), message.time(), message.payload());
    } catch (WireFormatException | IllegalArgumentException e) {
      store.droppedRemote.incrementAndGet();
      store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
      node.reportError("dropped versioned write from " + message.sender() + " via " + from.id() + ": " + e.getMessage());
      return;
    }
    Bytes key = write.state().key();
    Store.Entry entry = write.state().entry();
    afterCheck(from, () -> signing.refusal(key, entry, write.signed()), refusal -> {
      if (refusal != null) {
        refuse(from, "write of key " + Keys.render(key) + " by " + message.sender() + " via " + from.id(), refusal);
        return;
      }
      node.serially(store.linkDrops.attributed(store, from.id(), () -> {
        if (store.applyRemote(key, entry, write.signed(), message.sender(), "write")) {
          node.broadcast(node.frame(Extensions.wire(message)),
              p -> p.extensionVersion() >= 1 && !p.id().equals(from.id()) && !p.id().equals(message.sender()));
          passOnToPlainPeers(message, write.state(), from);
        }
      }));
    });
  }

  /** An entries message of a secure network: each entry checked, the good ones applied, the others reported. */
  private void signedEntries(Message message, PeerInfo from, SignedWrites signing) {
    ExtMessages.SignedEntries entries;
    try {
      entries = (ExtMessages.SignedEntries) ExtMessages.readSync(message.payload(), true, store.ids());
    } catch (WireFormatException | IllegalArgumentException e) {
      store.droppedRemote.incrementAndGet();
      store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
      node.reportError("dropped anti-entropy message from " + from.id() + ": " + e.getMessage());
      return;
    }
    antiEntropy.entriesArrived(from.id(), entries.entries().size());
    // An entry equal to a state this node holds (its visible state or, with a tenure history, one
    // of its records, §8.4) was checked when that state arrived: merging it changes nothing (states
    // only grow), so it is neither checked again nor applied. Anti-entropy mostly re-sends such
    // states, and checking them would hold up the live writes queued behind.
    List<ExtMessages.SignedState> fresh = new java.util.ArrayList<>(entries.entries().size());
    for (ExtMessages.SignedState e : entries.entries()) {
      if (!store.holds(e.state().key(), e.state().entry())) {
        fresh.add(e);
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    // Refusals by the entry's place: one key may come as several entries, one per record of its
    // tenure history (§8.4), each checked on its own.
    afterCheck(from, () -> {
      java.util.Map<Integer, String> refused = new java.util.LinkedHashMap<>();
      for (int i = 0; i < fresh.size(); i++) {
        ExtMessages.SignedState e = fresh.get(i);
        String refusal = signing.refusal(e.state().key(), e.state().entry(), e.signed());
        if (refusal != null) {
          refused.put(i, "by " + e.state().entry().version().writer() + ": " + refusal);
        }
      }
      return refused;
    }, refused -> {
      for (java.util.Map.Entry<Integer, String> r : refused.entrySet()) {
        refuse(from, "anti-entropy entry of key " + Keys.render(fresh.get(r.getKey()).state().key()) + " from "
            + from.id(), r.getValue());
      }
      node.serially(store.linkDrops.attributed(store, from.id(), () -> {
        for (int i = 0; i < fresh.size(); i++) {
          ExtMessages.SignedState e = fresh.get(i);
          if (!refused.containsKey(i)) {
            store.applyRemote(e.state().key(), e.state().entry(), e.signed(), from.id(), "anti-entropy entry");
          }
        }
      }));
    });
  }

  private void refuse(PeerInfo from, String what, String why) {
    store.droppedRemote.incrementAndGet();
    store.forgedRemote.incrementAndGet();
    store.linkDrops.drop(from.id(), LinkDrops.Reason.FORGED);
    node.reportError("dropped " + what + ": " + why + " (not applied, not relayed)");
  }

  /**
   * Runs {@code check} on a verifier, then {@code then} with its result (a refusal, or null), after
   * the previous message's; protocol thread. Past {@link #MAX_VERIFYING} waiting, drops at once.
   */
  private <T> void afterCheck(PeerInfo from, java.util.function.Supplier<T> check, java.util.function.Consumer<T> then) {
    if (verifying.incrementAndGet() > MAX_VERIFYING) {
      verifying.decrementAndGet();
      store.droppedRemote.incrementAndGet();
      store.busyRemote.incrementAndGet();
      store.linkDrops.drop(from.id(), LinkDrops.Reason.BUSY);
      node.reportError("dropped a signed write or entries message: " + MAX_VERIFYING + " are waiting for their check");
      return;
    }
    java.util.concurrent.ExecutorService verifiers = signing == null ? null : signing.verifiers();
    CompletableFuture<T> checked;
    try {
      checked = CompletableFuture.supplyAsync(check, java.util.Objects.requireNonNull(verifiers, "closed"));
    } catch (NullPointerException | java.util.concurrent.RejectedExecutionException closing) {
      verifying.decrementAndGet(); // the socket is closing: nothing more is applied
      return;
    }
    lastCheck = lastCheck.handle((x, e) -> null).thenCombine(checked.handle((result, error) -> {
      if (error != null) {
        node.reportError("dropped a signed write or entries message: its check failed: " + error);
      }
      return error == null ? result : null;
    }), (previous, result) -> {
      verifying.decrementAndGet();
      try {
        if (!checked.isCompletedExceptionally()) {
          then.accept(result);
        }
      } catch (RuntimeException e) {
        node.reportError("internal error after a signature check: " + e);
      }
      return null;
    });
  }

  /**
   * Runs {@code step} as a step of the writer after every message that arrived before now has been
   * applied: at once in an open network; in a secure one after the checks still pending. Protocol thread.
   */
  void afterArrived(Runnable step) {
    if (signing == null) {
      node.serially(step);
    } else {
      lastCheck = lastCheck.handle((x, e) -> null).thenRun(() -> node.serially(step));
    }
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
      node.whisperAll(peer, new InitialSync(store, peer.dialect() == Dialect.JS2P, peer.id()));
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
