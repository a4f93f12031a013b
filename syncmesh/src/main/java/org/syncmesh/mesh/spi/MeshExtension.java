package org.syncmesh.mesh.spi;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.InternalMessage;

/**
 * A protocol that runs on top of a mesh node, as the sync socket's dictionary does: it claims
 * messages before the user's handlers see them, reacts to new peers, and filters what each peer
 * may receive. Installed with {@link Extensions#meshSocket}; one per socket. Internal, not API: this
 * package is not exported, because its signatures carry the wire and net types.
 *
 * <p>Every method here is called on the node's protocol thread, one call at a time, and must
 * not block: that thread may also be the I/O thread.
 */
public interface MeshExtension {

  /**
   * Offers an arriving message (after de-duplication and relay); true claims it, and neither the
   * user's handlers nor the {@code recv()} queue see it. A throwing extension is logged and the
   * message treated as unclaimed.
   */
  boolean handle(Message message, PeerInfo from);

  /** A peer completed its first handshake and was sent our peers list. */
  default void onPeerReady(PeerInfo peer) {}

  /**
   * Whether the extension relays the arriving broadcast {@code message} itself, once it has
   * checked it (say, its signature), instead of the mesh relaying it on arrival; default false.
   * It is still de-duplicated on arrival, and relayed with {@link Node#broadcast}.
   */
  default boolean relaysItself(InternalMessage message) {
    return false;
  }

  /** Whether {@code peer} may receive {@code message}, sent or relayed. */
  default boolean mayReceive(PeerInfo peer, InternalMessage message) {
    return true;
  }

  /**
   * What an extension may do with its node. Methods marked "protocol thread" must be called
   * there (from the extension's callbacks or a submitted task); the others are thread-safe.
   */
  interface Node {

    /** This node's id. Thread-safe. */
    String id();

    /** Now, in whole seconds UTC, from the node's clock. Thread-safe. */
    long nowSeconds();

    /** Now, in milliseconds UTC, from the node's clock. Thread-safe. */
    long nowMillis();

    /**
     * Encodes {@code message} for sending with this node's frame cap. Thread-safe; meant for
     * the caller's thread, so the work and its validation happen before a write enters the node.
     *
     * @throws org.syncmesh.MessageTooLargeException if the frame would exceed the cap
     */
    OutboundFrame frame(InternalMessage message);

    /** The largest frame this node sends or accepts, in bytes. */
    int maxFrameBytes();

    /**
     * Runs {@code task} as a step of the node's single writer: one step at a time, in the order
     * given, on the caller's thread when no other step runs (else by the thread running steps),
     * and completes the future with its result or exception. The caller first waits while the
     * node's send queue is full, that is while peers are not taking what they were sent
     * (back-pressure before entry); the task itself must never wait for anything. After close
     * the future fails with {@link IllegalStateException}.
     */
    <T> CompletableFuture<T> submit(Supplier<T> task);

    /**
     * As {@link #submit}, but never waits for room: when the node's send queue is full the future
     * fails at once with {@link java.util.concurrent.RejectedExecutionException}.
     */
    <T> CompletableFuture<T> trySubmit(Supplier<T> task);

    /**
     * Runs {@code step} as a step of the single writer, without waiting for room and without a
     * result: for a peer's write, which must never hold up the protocol thread. A throwing step
     * is logged and reported in status.
     */
    void serially(Runnable step);

    /**
     * Sends {@code frame}, a broadcast this node made, to every peer {@code to} accepts, after
     * everything queued before it. From a step, on any thread; never waits.
     */
    void broadcast(OutboundFrame frame, Predicate<PeerInfo> to);

    /**
     * As {@link #broadcast}, but only if this node has not sent or received a broadcast with the
     * same message id yet (its waterfall has not seen it); it is recorded as seen either way.
     * For a message that may already have reached this node by another path.
     */
    void broadcastIfNew(OutboundFrame frame, Predicate<PeerInfo> to);

    /** The peers this node is linked to now. Thread-safe; a snapshot. */
    java.util.Collection<PeerInfo> peers();

    /** Runs {@code task} on the protocol thread, after what is already queued there. Thread-safe. */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the protocol thread every {@code period}, first after one period, until
     * the returned handle is closed or the node closes. A throwing task is logged and runs again.
     * Thread-safe.
     */
    AutoCloseable every(java.time.Duration period, Runnable task);

    /**
     * Whispers every payload (sub-flag first) to {@code peer}, paced by its connection, made
     * lazily from {@code payloads}; stops silently if the peer leaves. Protocol thread.
     */
    void whisperAll(PeerInfo peer, Iterator<? extends List<?>> payloads);

    /** Runs {@code task} on the callback executor after every callback given before it. Thread-safe. */
    void callback(Runnable task);

    /** Adds an entry to the node's status (its most recent errors). Thread-safe. */
    void reportError(String error);

    /** True once the socket is closed. Thread-safe. */
    boolean isClosed();

    /**
     * Whether {@code id} is on this node's deny list (MeshOptions#denyList), as last read: a
     * denied node's links are refused, and its writes should be too. Thread-safe, lock-free.
     */
    default boolean isDenied(String id) {
      return false;
    }
  }
}
