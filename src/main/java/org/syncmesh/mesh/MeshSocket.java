package org.syncmesh.mesh;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.net.Link;
import org.syncmesh.net.NetConfig;
import org.syncmesh.net.Network;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.net.Tls;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeId;
import org.syncmesh.wire.Packets;
import org.syncmesh.wire.Protocol;

/**
 * A node of a protocol-0.7 mesh: it accepts and opens connections, exchanges handshakes and
 * peers lists, floods broadcasts with de-duplication, and queues user messages. Wire-compatible
 * with js2p 0.7.870 and py2p 0.7 (see PROTOCOL.md); where those peers have bugs it does what
 * PROTOCOL.md's [rec] notes say a correct node does.
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
 * <h2>Threads</h2>
 * Every public method may be called from any thread. Protocol state (routing table, waterfall,
 * pending requests) belongs to one protocol thread, an event loop of the socket's own group, so
 * handlers never race each other; with one I/O thread (the default) the same thread does the
 * I/O and nothing hops threads. Listeners and user handlers run on the callback executor, never
 * on that thread.
 * Reads such as {@link #routingTable()} and {@link #status()} take no lock.
 *
 * <h2>Back-pressure and memory</h2>
 * Sending never waits for the network. A send from a thread other than the protocol thread waits
 * only while 8 MiB of earlier sends are still queued for the
 * protocol thread; the protocol thread itself never waits. Each connection then buffers what its
 * socket has not yet taken, bounded by {@link MeshOptions#slowPeerLimits}: above its high-water
 * mark (4 MiB, or half of maxPendingBytes if smaller) a connection is unwritable, and it is dropped when
 * it stays unwritable for unwritableTimeout, or at once when a send finds more than
 * maxPendingBytes queued for it. A peer that reads slowly or not at all therefore costs at most
 * about maxPendingBytes of heap and only its own connection; a sustained burst faster than a
 * peer can read drops that peer the same way. Every such drop is logged (one WARN) and listed in
 * {@link #status()}.
 *
 * <h2>Lifecycle</h2>
 * The socket is listening when the constructor returns. {@link #close()} releases the port,
 * every connection and every thread, and is idempotent.
 *
 * <h2>Extension</h2>
 * Designed to be extended by the sync socket: protected hooks add protocol handlers, react to
 * a new peer, and filter what each peer may receive. Other subclasses are not supported.
 */
public class MeshSocket implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MeshSocket.class);
  private static final int MAX_STATUS_ERRORS = 100;

  final Clock clock;
  final Protocol protocol;
  final String protocolId;
  final String id;
  final FrameCodec codec;
  final int maxOutgoing;
  final long handshakeTimeoutMillis;
  final List<org.syncmesh.wire.Compression> compression;
  private final String bindHost;
  private final InetSocketAddress boundAddress;
  private final String outHost;
  private final int outPort;
  private final int debugLevel;

  private final EventLoopGroup group;
  final EventLoop node;
  private final Network network;
  private final Executor callbacks;
  private final @Nullable ExecutorService ownedCallbacks;

  // Confined to the protocol thread.
  final Map<Link, Peer> peers = new IdentityHashMap<>();
  final Map<String, Peer> routing = new LinkedHashMap<>();
  final Waterfall waterfall = new Waterfall();
  final Map<String, PendingRequest> pendingRequests = new HashMap<>();

  private volatile Map<String, PeerInfo> routingView = Map.of();
  private final Inbox inbox;
  private final SendGate gate;
  private final ConcurrentLinkedDeque<String> errors = new ConcurrentLinkedDeque<>();
  private final List<MessageHandler> protocolHandlers = new CopyOnWriteArrayList<>();
  private final List<MessageHandler> userHandlers = new CopyOnWriteArrayList<>();
  private final List<MeshListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.Queue<Runnable> callbackQueue = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drainCallbacks = this::drainCallbacks;
  private final java.util.Set<CompletableFuture<PeerInfo>> pendingConnects =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final HandshakeHandler handshakes = new HandshakeHandler(this);
  private final PeersHandler peersHandler = new PeersHandler(this);
  private final RequestHandler requests = new RequestHandler(this);
  private final ReceivePipeline pipeline = new ReceivePipeline(this, handshakes, peersHandler, requests);
  private final Connections connections = new Connections(this, handshakes, peersHandler, requests, pipeline);

  /** A deferred reply waiting for a route to its target (PROTOCOL §9.1). */
  record PendingRequest(String targetId, List<Object> payload, long createdSeconds) {}

  /**
   * Builder of {@link MeshSocket}, made with {@code new MeshSocket.Builder()}; see
   * {@link MeshOptions} for every setting.
   */
  public static final class Builder extends MeshOptions<Builder> {
    /** A builder with every default: 127.0.0.1, ephemeral port, subnet "mesh", Plaintext. */
    public Builder() {}

    /** Binds and returns a listening socket. */
    public MeshSocket build() {
      return new MeshSocket(this);
    }
  }

  /** The seed's constructor: binds {@code addr:port} on the default mesh protocol. */
  public MeshSocket(String addr, int port) {
    this(new Builder().host(addr).port(port));
  }

  /** The seed's constructor with a protocol. */
  public MeshSocket(String addr, int port, Protocol protocol) {
    this(new Builder().host(addr).port(port).protocol(protocol));
  }

  /** The seed's constructor with a protocol and an outward address. */
  public MeshSocket(String addr, int port, Protocol protocol, InetSocketAddress outAddr) {
    this(new Builder().host(addr).port(port).protocol(protocol).outAddress(outAddr.getHostString(), outAddr.getPort()));
  }

  /** The seed's full constructor; {@code debugLevel} is kept but logging goes through SLF4J. */
  public MeshSocket(String addr, int port, Protocol protocol, InetSocketAddress outAddr, int debugLevel) {
    this(new Builder().host(addr).port(port).protocol(protocol)
        .outAddress(outAddr.getHostString(), outAddr.getPort()).debugLevel(debugLevel));
  }

  /**
   * Binds and starts the socket from a builder's settings.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound (taken, or no such address)
   */
  protected MeshSocket(MeshOptions<?> options) {
    this.clock = options.clock;
    this.protocol = options.effectiveProtocol();
    this.protocolId = protocol.id();
    this.codec = new FrameCodec(options.maxFrameBytes);
    this.maxOutgoing = options.maxOutgoing;
    this.handshakeTimeoutMillis = options.handshakeTimeout.toMillis();
    this.compression = options.compression;
    this.bindHost = options.host;
    this.debugLevel = options.debugLevel;
    this.inbox = new Inbox(this, options.recvQueueCapacity);

    NetConfig netConfig = netConfig(options);
    this.group = new MultiThreadIoEventLoopGroup(options.ioThreads,
        new DefaultThreadFactory("syncmesh-io", true), NioIoHandler.newFactory());
    this.node = group.next();
    this.gate = new SendGate(node, closed::get);
    this.network = new Network(netConfig, codec, group, connections.listener());
    try {
      this.boundAddress = network.bind(options.host, options.port);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      throw e;
    }
    this.outHost = options.outHost != null ? options.outHost
        : ("0.0.0.0".equals(options.host) || "::".equals(options.host) ? "127.0.0.1" : options.host);
    this.outPort = options.outPort > 0 ? options.outPort : boundAddress.getPort();
    // js2p's formula uses the bind address and the asked port (PROTOCOL §3.3); the salt is random.
    this.id = NodeId.generate(protocol, options.host, boundAddress.getPort());
    if (options.callbackExecutor != null) {
      this.callbacks = options.callbackExecutor;
      this.ownedCallbacks = null;
    } else {
      this.ownedCallbacks = Executors.newSingleThreadExecutor(
          new DefaultThreadFactory("syncmesh-callbacks-" + boundAddress.getPort(), true));
      this.callbacks = ownedCallbacks;
    }
    log.debug("node {} listening on {} ({})", id, boundAddress, protocol);
  }

  private static NetConfig netConfig(MeshOptions<?> o) {
    io.netty.handler.ssl.SslContext server = o.serverSsl;
    io.netty.handler.ssl.SslContext client = o.clientSsl;
    if (Protocol.SSL.equals(o.protocol.transport()) && server == null) {
      Tls.Contexts contexts = Tls.selfSigned();
      server = contexts.server();
      client = contexts.client();
    } else if (!Protocol.SSL.equals(o.protocol.transport())) {
      server = null;
      client = null;
    }
    // Half the hard limit at most: a bulk sender pausing at the high-water mark stays well clear of it.
    int high = (int) Math.min(4L * 1024 * 1024, o.maxPendingBytes / 2);
    return new NetConfig(o.maxFrameBytes, o.stalledFrameTimeout, high / 2, high,
        o.maxPendingBytes, o.unwritableTimeout, o.connectTimeout, o.handshakeTimeout, server, client);
  }

  // ---------------------------------------------------------------- identity

  /** This node's id: base58 text, 64–66 characters, stable for the socket's life. */
  public final String id() {
    return id;
  }

  /** The protocol (subnet and transport) this node speaks. */
  public final Protocol protocol() {
    return protocol;
  }

  /** The port the listener is bound to (the real one when 0 was asked). */
  public final int port() {
    return boundAddress.getPort();
  }

  /** The address the listener is bound to. */
  public final InetSocketAddress boundAddress() {
    return boundAddress;
  }

  /** The address advertised to peers in the handshake. */
  public final InetSocketAddress outAddress() {
    return InetSocketAddress.createUnresolved(outHost, outPort);
  }

  /** The seed's debug level, as given. */
  public final int debugLevel() {
    return debugLevel;
  }

  // ---------------------------------------------------------------- user API

  /**
   * Broadcasts {@code packets} to the whole network with flag and sub-flag broadcast. May wait
   * while earlier sends are queued (see "Back-pressure and memory" above).
   *
   * @throws IllegalArgumentException if a packet cannot be encoded; nothing is sent then
   * @throws IllegalStateException if the socket is closed
   */
  public final void send(List<?> packets) {
    send(packets, Flags.MAIN_BROADCAST, Flags.SUB_BROADCAST);
  }

  /** Varargs form of {@link #send(List)}. */
  public final void send(Object... packets) {
    send(Arrays.asList(packets));
  }

  /**
   * Sends {@code [flag, me, now | type, packets…]} to every peer in the routing table. With flag
   * broadcast it floods the network; with flag whisper it reaches direct peers only. One time,
   * hence one message id, for all peers (PROTOCOL §8.1).
   *
   * @throws IllegalArgumentException if a packet cannot be encoded or a flag is outside 0–0x2F
   * @throws IllegalStateException if the socket is closed
   */
  public final void send(List<?> packets, int flag, int type) {
    Checks.inRange(flag, 0, Flags.RESERVED_LIMIT - 1, "flag");
    Checks.inRange(type, 0, Flags.RESERVED_LIMIT - 1, "type");
    sendPayload(prepend(type, packets), flag, peer -> true);
  }

  /**
   * Whispers {@code packets} to one connected peer.
   *
   * @throws IllegalArgumentException if a packet cannot be encoded
   * @throws java.util.NoSuchElementException if no peer with that id is in the routing table
   */
  public final void sendTo(String peerId, List<?> packets) {
    Checks.notNull(peerId, "peerId");
    if (!routingView.containsKey(peerId)) {
      throw new java.util.NoSuchElementException("no peer " + peerId + " in the routing table");
    }
    whisperPayload(peerId, prepend(Flags.SUB_WHISPER, packets));
  }

  /** The oldest queued message, if any; never blocks. */
  public final Optional<Message> recv() {
    return inbox.poll();
  }

  /** Up to {@code max} queued messages, oldest first; never blocks. */
  public final List<Message> recv(int max) {
    Checks.inRange(max, 0, Integer.MAX_VALUE, "max");
    return inbox.drain(max);
  }

  /** Waits up to {@code timeout} for a message. */
  public final Optional<Message> recv(java.time.Duration timeout) throws InterruptedException {
    return inbox.poll(Checks.notNull(timeout, "timeout"));
  }

  /**
   * Adds a handler at the end of the user chain, after the protocol's own handlers. User
   * handlers run on the callback executor, never on a network thread (see {@link MessageHandler}).
   * The chain is snapshotted per message, so adding one from a handler affects later messages.
   */
  public final void registerHandler(MessageHandler handler) {
    userHandlers.add(Checks.notNull(handler, "handler"));
  }

  /** Adds a listener for connect, message and disconnect events. */
  public final void addListener(MeshListener listener) {
    listeners.add(Checks.notNull(listener, "listener"));
  }

  /** Removes a listener added before; no effect otherwise. */
  public final void removeListener(MeshListener listener) {
    listeners.remove(listener);
  }

  /**
   * {@code "Nominal"} when nothing went wrong, else the recorded errors, oldest first (at most
   * the last {@value #MAX_STATUS_ERRORS}): peers that sent malformed input, refused writes,
   * dropped messages, this node's own failures.
   */
  public final Object status() {
    List<String> list = statusErrors();
    return list.isEmpty() ? "Nominal" : list;
  }

  /** The errors behind {@link #status()}; empty when nominal. */
  public final List<String> statusErrors() {
    return List.copyOf(errors);
  }

  /**
   * Connects to {@code host:port}. The future completes with the peer once its handshake is
   * accepted, or fails (connect refused, protocol mismatch, timeout, connected to self).
   */
  public final CompletableFuture<PeerInfo> connect(String host, int port) {
    Checks.notEmpty(host, "host");
    Checks.inRange(port, 1, 65_535, "port");
    CompletableFuture<PeerInfo> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException("socket is closed"));
      return result;
    }
    pendingConnects.add(result);
    result.whenComplete((peer, error) -> pendingConnects.remove(result));
    onNode(() -> connections.open(host, port, result, false));
    return result;
  }

  /** Closes the connection to {@code peerId}, if there is one. */
  public final void disconnect(String peerId) {
    Checks.notNull(peerId, "peerId");
    onNode(() -> {
      Peer peer = routing.get(peerId);
      if (peer != null) {
        peer.link.close("disconnect requested");
      }
    });
  }

  /** A snapshot of the handshaken peers by id; never blocks, never changes under the caller. */
  public final Map<String, PeerInfo> routingTable() {
    return routingView;
  }

  /** True after {@link #close()}. */
  public final boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes every connection, releases the port and stops every thread the socket owns. Waits for
   * that unless called from the protocol thread itself. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    network.close();
    for (CompletableFuture<PeerInfo> pending : pendingConnects) {
      pending.completeExceptionally(new IllegalStateException("socket closed before the connection completed"));
    }
    var shutdown = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (!node.inEventLoop()) {
      shutdown.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (ownedCallbacks != null) {
      ownedCallbacks.shutdown();
    }
  }

  // ---------------------------------------------------------------- for the sync socket

  /** Adds a protocol handler, run after the mesh's own and before the user's. */
  protected final void addProtocolHandler(MessageHandler handler) {
    protocolHandlers.add(Checks.notNull(handler, "handler"));
  }

  /**
   * Called on the protocol thread once per connection, after its first valid handshake and our
   * peers list went out; the sync socket sends its dictionary here.
   */
  protected void onPeerReady(PeerInfo peer) {}

  /**
   * Whether {@code peer} may receive {@code message}, sent or relayed. The sync socket holds nil
   * stores back from js2p peers here (PROTOCOL §10.7). Runs on the protocol thread.
   */
  protected boolean mayReceive(PeerInfo peer, InternalMessage message) {
    return true;
  }

  /**
   * Broadcasts {@code payload} (sub-flag first) from this node now, to every peer for which
   * {@code to} holds. Thread-safe; messages leave in the order of the calls.
   *
   * @throws IllegalArgumentException if the payload cannot be encoded; nothing is sent then
   */
  protected final void broadcastPayload(List<?> payload, Predicate<PeerInfo> to) {
    sendPayload(payload, Flags.MAIN_BROADCAST, to);
  }

  /**
   * Broadcasts a message this node made itself, with the time it chose: the sync socket picks
   * the time so that identical content is never sent twice in one second (PROTOCOL §13.8).
   * Thread-safe; messages leave in the order of the calls.
   *
   * @throws IllegalArgumentException if the message is not a broadcast or its sender is not this node
   * @throws IllegalStateException if the socket is closed
   */
  protected final void broadcastMessage(InternalMessage message, Predicate<PeerInfo> to) {
    Checks.argument(message.type() == Flags.MAIN_BROADCAST, "message.type()", message.type(), "0 (broadcast)");
    Checks.argument(id.equals(message.sender()), "message.sender()", message.sender(), "this node's id " + id);
    if (closed.get()) {
      throw new IllegalStateException("socket is closed");
    }
    sendMessage(message, to);
  }

  /** Whispers {@code payload} (sub-flag first) to one peer if it is connected. Thread-safe. */
  protected final void whisperPayload(String peerId, List<?> payload) {
    InternalMessage message = InternalMessage.create(Flags.MAIN_WHISPER, id, nowSeconds(), payload);
    OutboundFrame frame = OutboundFrame.of(message, codec);
    gate.submit(frame.payloadSize(), () -> {
      Peer peer = routing.get(peerId);
      if (peer != null) {
        peer.send(frame);
      }
    });
  }

  /**
   * Whispers every payload of {@code payloads} (each sub-flag first) to {@code peer}, in order,
   * paced by its connection: a chunk per turn of the protocol thread, the next one when the peer
   * has read the last (see {@link WhisperStream}). The iterator is advanced on the protocol thread
   * only, lazily. Stops early, silently, if the peer disconnects. Call on the protocol thread
   * (from {@link #onPeerReady}).
   */
  protected final void whisperAll(PeerInfo peer, Iterator<? extends List<?>> payloads) {
    Checks.notNull(payloads, "payloads");
    Peer target = routing.get(peer.id());
    if (target != null) {
      new WhisperStream(this, target, payloads).pump();
    }
  }

  /** Runs {@code task} on the protocol thread: in place when already there. */
  protected final void onNode(Runnable task) {
    if (node.inEventLoop()) {
      task.run();
    } else if (!node.isShuttingDown()) {
      node.execute(task);
    }
  }

  /**
   * Runs {@code task} on the callback executor, after every task given before it; a throwing
   * task is logged, never fatal.
   */
  protected final void callback(Runnable task) {
    callbackQueue.add(task);
    scheduleCallbacks();
  }

  // Callbacks queue up and one drain task at a time runs them: a burst of messages costs one
  // executor hand-off, not one each, and order holds even on a multi-threaded executor.
  private void scheduleCallbacks() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        callbacks.execute(drainCallbacks);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        callbackQueue.clear();
        log.debug("callbacks dropped after close");
      }
    }
  }

  private void drainCallbacks() {
    Runnable task;
    while ((task = callbackQueue.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("a listener or handler threw; ignored", e);
      }
    }
    drainScheduled.set(false);
    if (!callbackQueue.isEmpty()) {
      scheduleCallbacks(); // a task added after the last poll, before the flag was cleared
    }
  }

  /** Adds an entry to {@link #status()}, keeping the last {@value #MAX_STATUS_ERRORS}. */
  protected final void reportError(String error) {
    errors.addLast(error);
    while (errors.size() > MAX_STATUS_ERRORS) {
      errors.pollFirst();
    }
  }

  /** Now, in whole seconds UTC, from the configured clock. */
  protected final long nowSeconds() {
    return Math.floorDiv(clock.millis(), 1000);
  }

  /** The configured clock. */
  protected final Clock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- internals

  private static List<Object> prepend(int subFlag, List<?> packets) {
    Checks.notNull(packets, "packets");
    List<Object> payload = new ArrayList<>(packets.size() + 1);
    payload.add(subFlag);
    payload.addAll(packets);
    return payload;
  }

  private void sendPayload(List<?> payload, int flag, Predicate<PeerInfo> to) {
    if (closed.get()) {
      throw new IllegalStateException("socket is closed");
    }
    // Encode on the caller's thread: validation throws here, before any effect.
    sendMessage(InternalMessage.create(flag, id, nowSeconds(), payload), to);
  }

  private void sendMessage(InternalMessage message, Predicate<PeerInfo> to) {
    int flag = message.type();
    OutboundFrame frame = OutboundFrame.of(message, codec);
    gate.submit(frame.payloadSize(), () -> {
      if (flag == Flags.MAIN_BROADCAST) {
        waterfall.firstSighting(message.id(), message.time(), nowSeconds());
      }
      for (Peer peer : routing.values()) {
        PeerInfo info = peer.info();
        if (to.test(info) && mayReceive(info, message)) {
          peer.send(frame);
        }
      }
    });
  }

  void reply(Message message, List<?> packets) {
    List<Object> payload = prepend(Flags.SUB_WHISPER, packets);
    Packets.requireEncodable(payload);
    String target = message.sender();
    onNode(() -> {
      if (routing.containsKey(target)) {
        whisperPayload(target, payload);
      } else {
        requests.requestRoute(target, message.wire().senderIsBin(), payload);
      }
    });
  }

  String outHost() {
    return outHost;
  }

  int outPort() {
    return outPort;
  }

  String bindHost() {
    return bindHost;
  }

  /** Publishes the routing table for lock-free readers; after every change. */
  void publishRouting() {
    Map<String, PeerInfo> view = new LinkedHashMap<>();
    for (Map.Entry<String, Peer> e : routing.entrySet()) {
      view.put(e.getKey(), e.getValue().info());
    }
    routingView = Collections.unmodifiableMap(view);
  }

  void send(Peer peer, int flag, List<?> payload) {
    peer.send(OutboundFrame.of(InternalMessage.create(flag, id, nowSeconds(), payload), codec));
  }

  PeersHandler peersHandler() {
    return peersHandler;
  }

  Connections connections() {
    return connections;
  }

  Network network() {
    return network;
  }

  Inbox inbox() {
    return inbox;
  }

  List<MessageHandler> protocolHandlers() {
    return protocolHandlers;
  }

  List<MessageHandler> userHandlers() {
    return userHandlers;
  }

  void fireMessage() {
    for (MeshListener l : listeners) {
      callback(() -> l.onMessage(this));
    }
  }

  void firePeerConnected(PeerInfo info, boolean first) {
    for (MeshListener l : listeners) {
      if (first) {
        callback(() -> l.onConnect(this));
      }
      callback(() -> l.onPeerConnected(this, info));
    }
  }

  void fireDisconnect(PeerInfo info) {
    for (MeshListener l : listeners) {
      callback(() -> l.onDisconnect(this, info));
    }
  }

  Collection<Peer> routingPeers() {
    return routing.values();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{id=" + id + ", port=" + port() + ", peers=" + routingView.size() + "}";
  }
}
