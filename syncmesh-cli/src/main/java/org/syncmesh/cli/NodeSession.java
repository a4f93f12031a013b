package org.syncmesh.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.sync.MetaTuple;
import org.syncmesh.sync.SyncListener;
import org.syncmesh.sync.SyncSocket;
import org.syncmesh.wire.Flags;

/**
 * One running node of the command line: its socket (a {@link SyncSocket}, or a plain
 * {@link MeshSocket} with {@code --mesh}) plus what the line protocol keeps beside it: the
 * node's own failures for {@code status}, the recording of update arrivals for benchmarks, and
 * the live events the REPL prints.
 *
 * <p>Thread-safe: commands run on the reading thread, events arrive on the socket's callback
 * and protocol threads. {@link #close()} is idempotent and may be called from a shutdown hook.
 */
final class NodeSession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

  /** What the REPL prints live; every method runs on a socket thread and must not block. */
  interface Events {
    default void updated(Bytes key, Object value, MetaTuple meta) {}

    default void deleted(Bytes key) {}

    default void message(Message message) {}
  }

  private final MeshSocket socket;
  private final @Nullable SyncSocket sync;
  private final String host;
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final List<Events> events = new CopyOnWriteArrayList<>();
  private final ArrivalLog arrivals = new ArrivalLog();
  private final Object keysChanged = new Object();
  private volatile boolean recording;

  private NodeSession(MeshSocket socket, @Nullable SyncSocket sync, String host) {
    this.socket = socket;
    this.sync = sync;
    this.host = host;
    if (sync != null) {
      sync.addListener(new SyncListener() {
        @Override
        public void onUpdate(SyncSocket s, Bytes key, Object value, MetaTuple meta) {
          if (recording) {
            arrivals.add(key, System.nanoTime());
          }
          synchronized (keysChanged) {
            keysChanged.notifyAll();
          }
          events.forEach(e -> e.updated(key, value, meta));
        }

        @Override
        public void onDelete(SyncSocket s, Bytes key) {
          events.forEach(e -> e.deleted(key));
        }
      });
    }
    socket.registerHandler((message, from) -> {
      int sub = message.subFlag();
      if (sub == Flags.SUB_BROADCAST || sub == Flags.SUB_WHISPER) {
        events.forEach(e -> e.message(message));
      }
      return false; // never claim: the message still goes to the recv queue
    });
  }

  /**
   * Binds the node and starts a connection to every {@code --connect} peer (without waiting for
   * them; a failure shows in {@link #status()}).
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   * @throws IllegalArgumentException if the options cannot make a socket
   */
  static NodeSession start(NodeOptions options) {
    SyncSocket sync = options.mesh() ? null : options.bindSync();
    NodeSession session = new NodeSession(sync != null ? sync.mesh() : options.bindMesh(), sync, options.host());
    for (NodeOptions.HostPort peer : options.connect()) {
      session.connect(peer.host(), peer.port());
    }
    return session;
  }

  MeshSocket socket() {
    return socket;
  }

  /** The sync socket, or an error naming the reason when this is a mesh node. */
  SyncSocket sync() {
    if (sync == null) {
      throw new IllegalStateException("not a sync node (started with --mesh)");
    }
    return sync;
  }

  boolean isSync() {
    return sync != null;
  }

  /** The host the node was asked to bind, as the start line reports it. */
  String host() {
    return host;
  }

  /**
   * Starts a connection and returns its attempt at once. A failed first attempt (refused, timed out, wrong
   * protocol, self) is logged and listed by {@link #status()} as the node's own failure; the
   * socket then keeps dialling the address in the background until it answers (MeshSocket,
   * "Reconnection"), quietly.
   */
  java.util.concurrent.CompletableFuture<PeerInfo> connect(String host, int port) {
    java.util.concurrent.CompletableFuture<PeerInfo> attempt = socket.connect(host, port);
    attempt.whenComplete((peer, error) -> {
      if (error != null && !socket.isClosed()) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        String why = ConnectFailures.explain(cause, host, port);
        log.warn("connect {}:{} failed: {}", host, port, why);
        errors.add("connect " + host + ":" + port + ": " + why);
      }
    });
    return attempt;
  }

  /**
   * Connects and waits for the outcome, at most {@link #CONNECT_WAIT}: the peer once its
   * handshake is done, or the reason it failed in words ({@link ConnectFailures}). A failed
   * address is still dialled again in the background, as by {@link #connect}.
   *
   * @throws IllegalStateException naming the address and why (refused, unreachable, timeout,
   *     TLS refused, handshake refused), or that no answer came within the wait
   */
  PeerInfo connectAndWait(String host, int port) throws InterruptedException {
    java.util.concurrent.CompletableFuture<PeerInfo> attempt = connect(host, port);
    try {
      return attempt.get(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("connect " + host + ":" + port + " failed: " + ConnectFailures.explain(
          e.getCause() != null ? e.getCause() : e, host, port));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("connect " + host + ":" + port + ": no outcome within "
          + CONNECT_WAIT.toSeconds() + " s; still trying in the background (see status and peers)");
    }
  }

  /**
   * How long {@link #connectAndWait} waits: past the socket's own bounds (5 s to connect, 10 s
   * for the TLS handshake, 10 s for the node handshake), so a first attempt has always ended.
   */
  static final java.time.Duration CONNECT_WAIT = java.time.Duration.ofSeconds(26);

  /** Handshaken peers, in the order they joined. */
  List<PeerInfo> peers() {
    return new ArrayList<>(socket.routingTable().values());
  }

  /** Every queued user message, oldest first; the queue is then empty. */
  List<Message> recvAll() {
    return socket.recv(Integer.MAX_VALUE);
  }

  /** The socket's errors (peers' and its own), then this session's own failures; empty if nominal. */
  List<String> status() {
    List<String> all = new ArrayList<>(socket.statusErrors());
    all.addAll(errors);
    return all;
  }

  /** Turns recording of update arrivals on or off. */
  void recordArrivals(boolean on) {
    recording = on;
  }

  /** The recorded arrivals since the last call, oldest first. */
  List<ArrivalLog.Arrival> takeArrivals() {
    return arrivals.take();
  }

  /**
   * Waits until the dictionary holds at least {@code n} keys or {@code timeoutMillis} pass.
   * Returns the key count then (which is below {@code n} on timeout).
   */
  int awaitKeys(long n, long timeoutMillis) throws InterruptedException {
    SyncSocket s = sync();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (keysChanged) {
      while (true) {
        int count = s.size();
        long left = deadline - System.nanoTime();
        if (count >= n || left <= 0) {
          return count;
        }
        // Woken by every update; the bounded wait also covers a key count that grew otherwise.
        TimeUnit.NANOSECONDS.timedWait(keysChanged, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
    }
  }

  /** Adds a receiver of live events (the REPL). */
  void addEvents(Events receiver) {
    events.add(receiver);
  }

  /**
   * Closes the socket: every connection, the port, every thread; a sync node through its sync
   * socket, so a durable one saves its peers and releases its data directory (closing only the
   * mesh underneath left the directory marked as not closed). Idempotent.
   */
  @Override
  public void close() {
    if (sync != null) {
      sync.close();
    } else {
      socket.close();
    }
  }
}
