package org.syncmesh.mesh;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * A node of a protocol-0.7 mesh: it accepts and opens connections, exchanges handshakes and
 * peers lists, delivers broadcasts to every node with de-duplication (flooded, as protocol 0.7
 * does, and along broadcast trees between syncmesh nodes of extension version 2,
 * {@link MeshOptions#broadcastTrees}), and queues user messages. Wire-compatible
 * with js2p 0.7.870 and py2p 0.7 (see docs/protocol-0.7.md); where those peers have bugs it does
 * what that document's [rec] notes say a correct node does.
 *
 * <pre>{@code
 * try (MeshSocket a = new MeshSocket.Builder().port(0).build();
 *      MeshSocket b = new MeshSocket.Builder().port(0).build()) {
 *   b.connect("127.0.0.1", a.port()).join();
 *   a.send("hello");
 *   // b.recv() soon returns a Message whose packets() are ["hello"]
 * }
 * }</pre>
 *
 * <h2>Concurrency</h2>
 * Every public method may be called from any thread. The design, which the sync socket shares:
 * <ul>
 *   <li><b>One writer.</b> Every change to the node's state happens in one order, one change at
 *       a time. The mesh's own state (routing table, waterfall, pending requests, every send)
 *       belongs to one protocol thread, an event loop of the socket's own group; with one I/O
 *       thread (the default) that loop also does the I/O, so a message is read, handled, relayed
 *       and written without changing threads. A protocol on top (the sync socket's dictionary)
 *       changes its state in <em>steps</em> of the node's single writer, an executor without a
 *       thread of its own: a step runs at once on the thread that gives it when no other step
 *       runs (a local write on the caller's thread, a peer's write on the I/O thread), and
 *       otherwise by the thread running steps, in order. A step (lease check, change, event,
 *       queuing its broadcast) is short and never waits, and nothing takes a lock, so two nodes
 *       writing at once cannot deadlock.
 *   <li><b>Checks before effects, back-pressure before entry.</b> A write is validated and
 *       encoded on the caller's thread, so a bad argument or an oversized message throws before
 *       any effect. Before it enters the node, the caller waits while 8 MiB of sends are queued
 *       for the protocol thread; the protocol thread stops sending while a peer's connection is
 *       over its high-water mark (a peer that has read nothing for a second stops holding
 *       writers back, and is dropped at the slow-peer limit). So local writers go no faster
 *       than their peers read, and a step never waits.
 *   <li><b>Peers are paced by reading.</b> A peer's messages are handled as they are read; when
 *       the node falls behind (with several I/O threads, messages wait for the protocol thread),
 *       it stops reading from the links that deliver them until it has caught up, so a peer that
 *       floods is slowed by TCP, never buffered without bound.
 *   <li><b>Reads take no lock.</b> {@link #routingTable()}, {@link #status()} and the sync
 *       socket's reads see published immutable snapshots or concurrent maps.
 *   <li><b>Callbacks run elsewhere.</b> Listeners and user handlers run on the callback
 *       executor, one at a time, in order, never on a network thread; they may call back into
 *       the socket, including blocking writes.
 *   <li><b>Nothing slow on the loop.</b> Work that is slow or may block (encoding large values
 *       today; signature checks and disk syncs as they come) happens before a write enters the
 *       node, on the caller's thread, or after it leaves, on a thread of its own, never on an
 *       event loop.
 * </ul>
 * The first node of a process also starts two short-lived daemon threads once it listens, so that
 * neither cost falls on its first frames: one loads snappy's native library
 * ({@code syncmesh-preload-snappy}, when snappy is offered), one warms SHA-256, every frame's
 * checksum ({@code syncmesh-warm-sha256}, tens of ms of CPU; docs/deployment.md §6).
 * Output to each connection is bounded by {@link MeshOptions#slowPeerLimits}: above its
 * high-water mark (4 MiB, or half of maxPendingBytes if smaller) a connection is unwritable, and
 * it is dropped when it stays unwritable for unwritableTimeout, or at once when a send finds
 * more than maxPendingBytes queued for it. A peer that reads slowly or not at all therefore costs
 * at most about maxPendingBytes of heap and only its own connection. Every such drop is logged
 * (one WARN) and listed in {@link #status()}.
 *
 * <h2>Reconnection</h2>
 * The node keeps an address book on its protocol thread: every address given to
 * {@link #connect} (a seed) and the address each registered peer advertised, with the id last
 * seen there. It redials by itself, with exponential backoff and full jitter (a random wait up to
 * 100 ms, doubling per failure up to 30 s; see {@link MeshOptions#reconnect(Duration, Duration)}):
 * <ul>
 *   <li>a seed whose attempt failed, until it answers; the {@code connect()} future still reports
 *       the first attempt;
 *   <li>a registered peer whose link closed for any reason but this node's decision: the peer
 *       left or restarted (a node that answers on its address with a new id is linked to), the
 *       network failed, or this node dropped it as slow, stalled or malformed. It is redialled at
 *       the address this node dialled it at, if it remembers one (a seed, a proxy or NAT address
 *       may be the only way to it), else at the address it advertised.
 * </ul>
 * Redialling an address stops when a peer is back there or the lost peer is back by any link
 * (whoever dialled; duplicate links are still settled to one, docs/protocol-0.7.md §7.5), when
 * the socket closes, or after 3 refusals for a protocol mismatch.
 * {@link #disconnect}, a duplicate link and a link to this node itself are not redialled. Redials
 * of peers that were not seeds count against {@link MeshOptions#maxOutgoing} like auto-connects
 * (none at 0). A loss is logged once at INFO; failed redials only at DEBUG, never in
 * {@link #status()}. {@link MeshOptions#reconnect(boolean) reconnect(false)} turns all of this off.
 *
 * <h2>Lifecycle</h2>
 * The socket is listening when the constructor returns. {@link #close()} releases the port,
 * every connection and every thread, and is idempotent; writes still queued then fail with
 * {@link IllegalStateException}.
 *
 * <h2>Extension</h2>
 * Final; a protocol on top of the mesh (the sync socket's dictionary) plugs in through a
 * {@code org.syncmesh.mesh.spi.MeshExtension}, an internal hook (its package is not exported).
 */
public final class MeshSocket implements AutoCloseable {

  private final MeshNode node;
  private final int debugLevel;

  /**
   * Builder of {@link MeshSocket}, made with {@code new MeshSocket.Builder()}; see
   * {@link MeshOptions} for every setting.
   */
  public static final class Builder extends MeshOptions<Builder> {
    /** A builder with every default: 127.0.0.1, ephemeral port, subnet "mesh", Plaintext. */
    public Builder() {}

    /** Binds and returns a listening socket. */
    public MeshSocket build() {
      return new MeshSocket(this, null, node -> NO_EXTENSION);
    }
  }

  private static final MeshExtension NO_EXTENSION = (message, from) -> false;

  static {
    // The extension constructor and Message.wire() carry internal types, so they are not public:
    // the non-exported spi package reaches them through this grant.
    Extensions.install(new Extensions.Access() {
      @Override
      public MeshSocket meshSocket(MeshOptions<?> options, @Nullable String id,
          Function<MeshExtension.Node, MeshExtension> extension) {
        return new MeshSocket(options, id, extension);
      }

      @Override
      public InternalMessage wire(Message message) {
        return message.wire();
      }

      @Override
      public Extensions.Stats stats(MeshSocket socket) {
        MeshNode node = socket.node;
        return new Extensions.Stats() {
          @Override
          public Map<PeerInfo, org.syncmesh.net.Link> links() {
            return node.linksView();
          }

          @Override
          public int callbacksQueued() {
            return node.callbacksQueued();
          }

          @Override
          public long callbacksRun() {
            return node.callbacksRun();
          }

          @Override
          public long recvDropped() {
            return node.inbox.dropped();
          }

          @Override
          public org.syncmesh.net.Failures failures() {
            return node.network().failures();
          }
        };
      }
    });
  }

  /** The seed's constructor: binds {@code addr:port} on the default mesh protocol. */
  public MeshSocket(String addr, int port) {
    this(new Builder().host(addr).port(port), null, node -> NO_EXTENSION);
  }

  /** The seed's constructor with a protocol. */
  public MeshSocket(String addr, int port, Protocol protocol) {
    this(new Builder().host(addr).port(port).protocol(protocol), null, node -> NO_EXTENSION);
  }

  /** The seed's constructor with a protocol and an outward address. */
  public MeshSocket(String addr, int port, Protocol protocol, InetSocketAddress outAddr) {
    this(new Builder().host(addr).port(port).protocol(protocol).outAddress(outAddr.getHostString(), outAddr.getPort()),
        null, node -> NO_EXTENSION);
  }

  /** The seed's full constructor; {@code debugLevel} is kept but logging goes through SLF4J. */
  public MeshSocket(String addr, int port, Protocol protocol, InetSocketAddress outAddr, int debugLevel) {
    this(new Builder().host(addr).port(port).protocol(protocol)
        .outAddress(outAddr.getHostString(), outAddr.getPort()).debugLevel(debugLevel), null, node -> NO_EXTENSION);
  }

  private MeshSocket(MeshOptions<?> options, @Nullable String id, Function<MeshExtension.Node, MeshExtension> extension) {
    this.node = new MeshNode(options, id, this, extension);
    this.debugLevel = options.debugLevel;
  }

  // ---------------------------------------------------------------- identity

  /** This node's id: base58 text, 64–66 characters, stable for the socket's life. */
  public String id() {
    return node.id;
  }

  /** The protocol (subnet and transport) this node speaks. */
  public Protocol protocol() {
    return node.protocol;
  }

  /**
   * What drives this node's sockets: {@code "epoll"} (Linux's, through Netty's native library) or
   * {@code "nio"} (the JDK's selector, where the native library does not load or
   * {@link MeshOptions#nativeTransport(boolean)} is off).
   */
  public String ioTransport() {
    return node.transport().name().toLowerCase(Locale.ROOT);
  }

  /** The port the listener is bound to (the real one when 0 was asked). */
  public int port() {
    return node.boundAddress().getPort();
  }

  /** The address the listener is bound to. */
  public InetSocketAddress boundAddress() {
    return node.boundAddress();
  }

  /** The address advertised to peers in the handshake. */
  public InetSocketAddress outAddress() {
    return InetSocketAddress.createUnresolved(node.outHost(), node.outPort());
  }

  /** The seed's debug level, as given. */
  public int debugLevel() {
    return debugLevel;
  }

  // ---------------------------------------------------------------- user API

  /**
   * Broadcasts {@code packets} to the whole network with flag and sub-flag broadcast. May wait
   * while earlier writes are queued (see "Concurrency" above).
   *
   * @throws IllegalArgumentException if a packet cannot be encoded or the message exceeds the
   *     frame cap ({@link org.syncmesh.MessageTooLargeException}); nothing is sent then
   * @throws IllegalStateException if the socket is closed
   */
  public void send(List<?> packets) {
    send(packets, Flags.MAIN_BROADCAST, Flags.SUB_BROADCAST);
  }

  /** Varargs form of {@link #send(List)}. */
  public void send(Object... packets) {
    send(Arrays.asList(packets));
  }

  /**
   * Sends {@code [flag, me, now | type, packets…]} to every peer in the routing table. With flag
   * broadcast it floods the network; with flag whisper it reaches direct peers only. One time,
   * hence one message id, for all peers (docs/protocol-0.7.md §8.1).
   *
   * @throws IllegalArgumentException if a packet cannot be encoded or a flag is outside 0–0x2F
   * @throws IllegalStateException if the socket is closed
   */
  public void send(List<?> packets, int flag, int type) {
    Checks.inRange(flag, 0, Flags.RESERVED_LIMIT - 1, "flag");
    Checks.inRange(type, 0, Flags.RESERVED_LIMIT - 1, "type");
    List<Object> payload = prepend(type, packets);
    requireOpen();
    node.send(InternalMessage.create(flag, node.id, node.nowSeconds(), payload), peer -> true);
  }

  /**
   * Whispers {@code packets} to one connected peer.
   *
   * @throws IllegalArgumentException if a packet cannot be encoded
   * @throws NoSuchElementException if no peer with that id is in the routing table
   */
  public void sendTo(String peerId, List<?> packets) {
    Checks.notNull(peerId, "peerId");
    if (!node.routingView().containsKey(peerId)) {
      throw new NoSuchElementException("no peer " + peerId + " in the routing table");
    }
    node.whisper(peerId, prepend(Flags.SUB_WHISPER, packets));
  }

  /** The oldest queued message, if any; never blocks. */
  public Optional<Message> recv() {
    return node.inbox.poll();
  }

  /** Up to {@code max} queued messages, oldest first; never blocks. */
  public List<Message> recv(int max) {
    Checks.inRange(max, 0, Integer.MAX_VALUE, "max");
    return node.inbox.drain(max);
  }

  /** Waits up to {@code timeout} for a message. */
  public Optional<Message> recv(Duration timeout) throws InterruptedException {
    return node.inbox.poll(Checks.notNull(timeout, "timeout"));
  }

  /**
   * Adds a handler at the end of the user chain, after the protocol's own handlers. User
   * handlers run on the callback executor, never on a network thread (see {@link MessageHandler}).
   * The chain is snapshotted per message, so adding one from a handler affects later messages.
   */
  public void registerHandler(MessageHandler handler) {
    node.userHandlers.add(Checks.notNull(handler, "handler"));
  }

  /** Adds a listener for connect, message and disconnect events. */
  public void addListener(MeshListener listener) {
    node.events().add(Checks.notNull(listener, "listener"));
  }

  /** Removes a listener added before; no effect otherwise. */
  public void removeListener(MeshListener listener) {
    node.events().remove(listener);
  }

  /**
   * {@code "Nominal"} when nothing went wrong, else the recorded errors, oldest first (at most
   * the last 100): peers that sent malformed input, refused writes, dropped messages, this
   * node's own failures.
   */
  public Object status() {
    List<String> list = statusErrors();
    return list.isEmpty() ? "Nominal" : list;
  }

  /** The errors behind {@link #status()}; empty when nominal. */
  public List<String> statusErrors() {
    return node.statusErrors();
  }

  /**
   * Connects to {@code host:port}. The future completes with the peer once its handshake is
   * accepted, or fails (connect refused, protocol mismatch, timeout, connected to self). Either
   * way the address is remembered: unless reconnection is off, a failed address is dialled again
   * in the background until it answers, and a lost one redialled (see "Reconnection").
   */
  public CompletableFuture<PeerInfo> connect(String host, int port) {
    Checks.notEmpty(host, "host");
    Checks.inRange(port, 1, 65_535, "port");
    return node.connect(host, port);
  }

  /**
   * Closes the connection to {@code peerId}, if there is one, and forgets its addresses: this node
   * does not redial it (the peer itself may still dial back, as it did not decide this).
   */
  public void disconnect(String peerId) {
    node.disconnect(Checks.notNull(peerId, "peerId"));
  }

  /**
   * What this node's broadcasts cost so far, in frames: the flood to peers without broadcast trees
   * and the tree's pushes, announcements, grafts, prunes and orphan notices (docs/extension-v2.md,
   * docs/extension-v3.md). Never blocks.
   */
  public BroadcastStats broadcastStats() {
    return node.broadcastStats();
  }

  /** A snapshot of the handshaken peers by id; never blocks, never changes under the caller. */
  public Map<String, PeerInfo> routingTable() {
    return node.routingView();
  }

  /**
   * Whether node {@code id} is on this socket's deny list ({@link MeshOptions#denyList}), as last
   * read (the file is checked every 2 s and at each handshake): its links are refused, and a
   * sync layer should refuse its writes too. False without a deny list. Thread-safe, lock-free.
   */
  public boolean isDenied(String id) {
    Checks.notNull(id, "id");
    return node.isDenied(id);
  }

  /** True after {@link #close()}. */
  public boolean isClosed() {
    return node.isClosed();
  }

  /**
   * Closes every connection, releases the port and stops every thread the socket owns. Waits for
   * that unless called from the protocol thread itself. Idempotent.
   */
  @Override
  public void close() {
    node.close();
  }

  /** The node behind this socket, for tests in this package. */
  MeshNode node() {
    return node;
  }

  private void requireOpen() {
    if (node.isClosed()) {
      throw new IllegalStateException("socket is closed");
    }
  }

  private static List<Object> prepend(int subFlag, List<?> packets) {
    Checks.notNull(packets, "packets");
    List<Object> payload = new ArrayList<>(packets.size() + 1);
    payload.add(subFlag);
    payload.addAll(packets);
    return payload;
  }

  @Override
  public String toString() {
    return "MeshSocket{id=" + node.id + ", port=" + port() + ", peers=" + node.routingView().size() + "}";
  }
}
