package org.syncmesh.mesh;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Compression;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.Link;
import org.syncmesh.net.NetConfig;
import org.syncmesh.net.Network;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.net.SecureTls;
import org.syncmesh.net.Tls;
import org.syncmesh.net.Transport;
import org.syncmesh.wire.Compressors;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeId;
import org.syncmesh.wire.Packets;

/**
 * One mesh node: the protocol thread's state (peers, routing table, waterfall, pending
 * requests), the send path, and the handlers that change them. {@link MeshSocket} is its public
 * face; the handshake, peers, request and receive handlers work on this class, never on the
 * socket. See MeshSocket's "Concurrency" for the threads.
 *
 * <p>Fields marked "protocol thread" are read and written only on {@link #loop}.
 */
final class MeshNode implements MeshExtension.Node {

  private static final Logger log = LoggerFactory.getLogger(MeshNode.class);
  static final int MAX_STATUS_ERRORS = 100;

  final Clock clock;
  final Protocol protocol;
  final String protocolId;
  final String id;
  final FrameCodec codec;
  final int maxOutgoing;
  final int maxIncoming;
  final long handshakeTimeoutMillis;
  final List<Compression> compression;
  /** The extension versions this node offers in its handshakes: 1..2, or 1..1 with broadcast trees off. */
  final ExtensionOffer offer;
  private final String bindHost;
  private final InetSocketAddress boundAddress;
  private final String outHost;
  private final int outPort;

  private final Transport transport;
  private final EventLoopGroup group;
  /** The protocol thread: one event loop of the node's own group. */
  final EventLoop loop;
  private final Network network;
  private final Callbacks callbacks;
  private final MeshEvents events;
  private final SendQueue sends;
  private final SerialSteps steps;
  final MeshExtension extension;
  /** The secure network's TLS contexts, or null on an open network. */
  final @Nullable SecureTls secureTls;
  private final @Nullable DenyList denyList;

  // Protocol thread.
  final Map<Link, Peer> peers = new IdentityHashMap<>();
  final Map<String, Peer> routing = new LinkedHashMap<>();
  private Peer[] routingPeers = new Peer[0]; // routing's values, remade by publishRouting
  final Waterfall waterfall = new Waterfall();
  final Map<String, PendingRequest> pendingRequests = new HashMap<>();
  private final List<Link> routedLinks = new ArrayList<>();

  private volatile Map<String, PeerInfo> routingView = Map.of();
  /** The routed peers' links, published with {@link #routingView}: for metrics, read from any thread. */
  private volatile Map<PeerInfo, Link> linksView = Map.of();
  final Inbox inbox;
  private final ConcurrentLinkedDeque<String> errors = new ConcurrentLinkedDeque<>();
  private final WarningLog warnings = new WarningLog(log);
  final List<MessageHandler> userHandlers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<CompletableFuture<PeerInfo>> pendingConnects = ConcurrentHashMap.newKeySet();

  final HandshakeHandler handshakes = new HandshakeHandler(this);
  final PeersHandler peersHandler = new PeersHandler(this);
  final RequestHandler requests = new RequestHandler(this);
  final ReceivePipeline pipeline = new ReceivePipeline(this);
  final BroadcastTree tree = new BroadcastTree(this);
  final Connections connections = new Connections(this);
  final Redialer redialer;

  /** A deferred reply waiting for a route to its target (docs/protocol-0.7.md §9.1). */
  record PendingRequest(String targetId, List<Object> payload, long createdSeconds) {}

  /**
   * Binds and starts a node. Connections are accepted only once the extension is installed, so
   * no peer's message can reach the node before it.
   *
   * @throws java.io.UncheckedIOException if the port cannot be bound
   */
  MeshNode(MeshOptions<?> options, @Nullable String restoredId, MeshSocket source,
      Function<MeshExtension.Node, MeshExtension> extensionFactory) {
    this.clock = options.clock;
    boolean secure = options.secureNetwork();
    Protocol configured = options.effectiveProtocol();
    // A secure network always runs over TLS, whatever transport the protocol names.
    this.protocol = secure ? new Protocol(configured.subnet(), Protocol.SSL) : configured;
    String secureId = secure ? secureId(options, restoredId) : null;
    this.secureTls = secure ? new SecureTls(options.tlsCertificate, options.tlsKey, options.tlsCas, secureId) : null;
    this.denyList = options.denyList != null ? new DenyList(options.denyList) : null;
    this.protocolId = protocol.id();
    this.codec = new FrameCodec(options.maxFrameBytes);
    this.maxOutgoing = options.maxOutgoing;
    this.maxIncoming = options.maxIncoming;
    this.handshakeTimeoutMillis = options.handshakeTimeout.toMillis();
    this.compression = options.compression;
    this.offer = new ExtensionOffer(1, options.broadcastTrees ? options.maxExtensionVersion : 1);
    this.bindHost = options.host;
    this.inbox = new Inbox(this, options.recvQueueCapacity);
    this.redialer = new Redialer(this, options.reconnect, options.reconnectInitial.toMillis(),
        options.reconnectMax.toMillis());

    NetConfig netConfig = netConfig(options, secureTls);
    this.transport = Transport.choose(options.nativeTransport);
    this.group = new MultiThreadIoEventLoopGroup(options.ioThreads,
        new DefaultThreadFactory("syncmesh-io", true), transport.ioHandlerFactory());
    this.loop = group.next();
    this.sends = new SendQueue(loop, () -> routedLinks);
    this.steps = new SerialSteps(loop, this::stepThrew);
    this.network = new Network(netConfig, codec, transport, group, connections.listener());
    try {
      this.boundAddress = network.bind(options.host, options.port);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      throw e;
    }
    this.outHost = options.outHost != null ? options.outHost
        : ("0.0.0.0".equals(options.host) || "::".equals(options.host) ? "127.0.0.1" : options.host);
    this.outPort = options.outPort > 0 ? options.outPort : boundAddress.getPort();
    // js2p's formula uses the bind address and the port (docs/protocol-0.7.md §3.3); the salt is random.
    this.id = secureId != null ? secureId : restoredId != null ? restoredId
        : options.id != null ? options.id : NodeId.generate(protocol, options.host, boundAddress.getPort());
    this.callbacks = new Callbacks(options.callbackExecutor, "syncmesh-callbacks-" + boundAddress.getPort());
    this.events = new MeshEvents(source, callbacks);
    try {
      this.extension = extensionFactory.apply(this);
    } catch (RuntimeException e) {
      network.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      callbacks.shutdown();
      throw e;
    }
    if (denyList != null) {
      every(DENY_LIST_CHECK, this::checkDenyList);
    }
    network.acceptConnections();
    Compressors.preloadNative(compression);
    FrameCodec.warmUpChecksums();
    log.info("node {} listening on {}, advertising {}:{}, protocol {} {}", PeerInfo.shortId(id), boundAddress,
        outHost, outPort, protocol.subnet(), protocol.transport());
  }

  /** How often the deny list file is checked for changes (it is also checked at each handshake). */
  static final java.time.Duration DENY_LIST_CHECK = java.time.Duration.ofSeconds(2);

  /**
   * The id of a node in a secure network: its identity's, or the id the caller restored (the
   * sync layer's, from its data directory) or set; when both are given they must agree.
   */
  private static String secureId(MeshOptions<?> o, @Nullable String restoredId) {
    NodeIdentity identity = o.identity;
    String given = restoredId != null ? restoredId : o.id;
    if (identity == null && given == null) {
      throw new IllegalArgumentException("a secure network needs this node's identity: call identity(NodeIdentity) "
          + "with the identity its certificate was issued for");
    }
    if (identity != null && given != null && !identity.id().equals(given)) {
      throw new IllegalArgumentException("this node's id " + given + " is not its identity's id " + identity.id()
          + ": in a secure network a node's id is its identity's");
    }
    return identity != null ? identity.id() : given;
  }

  private static NetConfig netConfig(MeshOptions<?> o, @Nullable SecureTls secureTls) {
    // Half the hard limit at most: a bulk sender pausing at the high-water mark stays well clear of it.
    int high = (int) Math.min(4L * 1024 * 1024, o.maxPendingBytes / 2);
    if (secureTls != null) {
      return new NetConfig(o.maxFrameBytes, o.stalledFrameTimeout, high / 2, high,
          o.maxPendingBytes, o.unwritableTimeout, o.connectTimeout, o.handshakeTimeout, null, null, secureTls);
    }
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
    return new NetConfig(o.maxFrameBytes, o.stalledFrameTimeout, high / 2, high,
        o.maxPendingBytes, o.unwritableTimeout, o.connectTimeout, o.handshakeTimeout, server, client);
  }

  // ---------------------------------------------------------------- MeshExtension.Node

  @Override
  public String id() {
    return id;
  }

  @Override
  public long nowSeconds() {
    return Math.floorDiv(clock.millis(), 1000);
  }

  @Override
  public long nowMillis() {
    return clock.millis();
  }

  @Override
  public OutboundFrame frame(InternalMessage message) {
    return OutboundFrame.of(message, codec);
  }

  @Override
  public int maxFrameBytes() {
    return codec.maxFrameBytes();
  }

  @Override
  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("socket is closed"));
    }
    try {
      sends.awaitRoom();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    return steps.run(task);
  }

  @Override
  public <T> CompletableFuture<T> trySubmit(Supplier<T> task) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("socket is closed"));
    }
    if (!sends.hasRoom()) {
      return CompletableFuture.failedFuture(new RejectedExecutionException("the node's send queue is full ("
          + SendQueue.MAX_QUEUED_BYTES + " bytes waiting for its peers): retry once earlier writes have completed"));
    }
    return steps.run(task);
  }

  @Override
  public void serially(Runnable step) {
    steps.execute(step);
  }

  /** What a step given to {@link #serially} threw: a bug, logged and shown in the node's status. */
  private void stepThrew(Throwable error) {
    log.warn("a step threw; its change was not made", error);
    recordError("internal error in a write: " + error);
  }

  @Override
  public void broadcast(OutboundFrame frame, Predicate<PeerInfo> to) {
    sends.send(frame.payloadSize(), () -> sendNow(frame, to));
  }

  @Override
  public void broadcastIfNew(OutboundFrame frame, Predicate<PeerInfo> to) {
    sends.send(frame.payloadSize(), () -> {
      InternalMessage message = frame.message();
      if (waterfall.firstSighting(message.id(), message.time(), nowSeconds())) {
        sendTo(frame, to);
      }
    });
  }

  @Override
  public java.util.Collection<PeerInfo> peers() {
    return routingView.values();
  }

  @Override
  public void execute(Runnable task) {
    onLoop(task);
  }

  @Override
  public AutoCloseable every(java.time.Duration period, Runnable task) {
    long nanos = period.toNanos();
    var future = loop.scheduleAtFixedRate(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("a periodic task threw", e);
      }
    }, nanos, nanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  /** Sends {@code frame} to every peer {@code to} accepts, now, on the protocol thread. */
  private void sendNow(OutboundFrame frame, Predicate<PeerInfo> to) {
    assert loop.inEventLoop();
    InternalMessage message = frame.message();
    if (message.type() == Flags.MAIN_BROADCAST) {
      waterfall.firstSighting(message.id(), message.time(), nowSeconds());
    }
    sendTo(frame, to);
  }

  private void sendTo(OutboundFrame frame, Predicate<PeerInfo> to) {
    InternalMessage message = frame.message();
    boolean broadcast = message.type() == Flags.MAIN_BROADCAST;
    for (Peer peer : routing.values()) {
      PeerInfo info = peer.info();
      if (to.test(info) && mayReceive(info, message)) {
        if (broadcast) {
          tree.send(peer, frame);
        } else {
          peer.send(frame);
        }
      }
    }
  }

  @Override
  public void whisperAll(PeerInfo peer, Iterator<? extends List<?>> payloads) {
    assert loop.inEventLoop();
    Peer target = routing.get(peer.id());
    if (target != null) {
      new WhisperStream(this, target, payloads).pump();
    }
  }

  @Override
  public void callback(Runnable task) {
    callbacks.run(task);
  }

  /** Records {@code error} for {@code status()} and logs it at WARN ({@link WarningLog}'s budget). */
  @Override
  public void reportError(String error) {
    recordError(error);
    warnings.warn(error, System.currentTimeMillis());
  }

  /** Records {@code error} for {@code status()} only: the caller logged it (with its stack trace, or the link did). */
  void recordError(String error) {
    errors.addLast(error);
    while (errors.size() > MAX_STATUS_ERRORS) {
      errors.pollFirst();
    }
  }

  @Override
  public boolean isDenied(String peerId) {
    return denyList != null && denyList.isDenied(peerId);
  }

  /** Whether this node runs in a secure network (members only). */
  boolean secure() {
    return secureTls != null;
  }

  /** Reads the deny list again if its file changed; on the protocol thread at each handshake. */
  void refreshDenyList() {
    if (denyList != null && denyList.refresh()) {
      closeDenied();
    }
  }

  /** The timer's check: a changed list closes the links of the ids it now denies. */
  private void checkDenyList() {
    refreshDenyList();
  }

  private void closeDenied() {
    assert loop.inEventLoop();
    for (Peer peer : List.copyOf(peers.values())) {
      if (peer.id != null && isDenied(peer.id)) {
        String reason = HandshakeHandler.DENIED + ": node " + peer.id + " (" + peer.link.remoteAddress()
            + ") is on the deny list now; link closed";
        reportError(reason);
        redialer.forget(peer);
        peer.link.close(reason);
      }
    }
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  // ---------------------------------------------------------------- for the socket

  Transport transport() {
    return transport;
  }

  InetSocketAddress boundAddress() {
    return boundAddress;
  }

  List<String> statusErrors() {
    return List.copyOf(errors);
  }

  /** The routed peers and their links, as last published; any thread. */
  Map<PeerInfo, Link> linksView() {
    return linksView;
  }

  /** Listener events and handler calls waiting, run since start, and recv-queue drops; any thread. */
  int callbacksQueued() {
    return callbacks.queued();
  }

  long callbacksRun() {
    return callbacks.ran();
  }

  /** The broadcast tree's counters; any thread. */
  BroadcastStats broadcastStats() {
    return tree.stats();
  }

  Map<String, PeerInfo> routingView() {
    return routingView;
  }

  MeshEvents events() {
    return events;
  }

  /** Sends {@code message}, made on the caller's thread, to every peer {@code to} accepts. */
  void send(InternalMessage message, Predicate<PeerInfo> to) {
    OutboundFrame frame = frame(message); // the frame cap is checked here, before any effect
    sends.awaitRoom();
    broadcast(frame, to);
  }

  /** Whispers {@code payload} (sub-flag first) to one peer if it is connected. */
  void whisper(String peerId, List<?> payload) {
    InternalMessage message = InternalMessage.create(Flags.MAIN_WHISPER, id, nowSeconds(), payload);
    OutboundFrame frame = frame(message);
    sends.awaitRoom();
    sends.send(frame.payloadSize(), () -> {
      Peer peer = routing.get(peerId);
      if (peer != null) {
        peer.send(frame);
      }
    });
  }

  void reply(Message message, List<Object> payload) {
    Packets.requireEncodable(payload);
    String target = message.sender();
    onLoop(() -> {
      if (routing.containsKey(target)) {
        whisper(target, payload);
      } else {
        requests.requestRoute(target, message.wire().senderIsBin(), payload);
      }
    });
  }

  CompletableFuture<PeerInfo> connect(String host, int port) {
    CompletableFuture<PeerInfo> result = new CompletableFuture<>();
    if (closed.get()) {
      result.completeExceptionally(new IllegalStateException("socket is closed"));
      return result;
    }
    pendingConnects.add(result);
    result.whenComplete((peer, error) -> pendingConnects.remove(result));
    onLoop(() -> {
      connections.open(host, port, result, false);
      redialer.seed(host, port, result);
    });
    return result;
  }

  void disconnect(String peerId) {
    onLoop(() -> {
      Peer peer = routing.get(peerId);
      if (peer != null) {
        redialer.forget(peer);
        peer.link.close("disconnect requested");
      }
    });
  }

  /** Closes every connection and stops every thread the node owns; idempotent. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    sends.close();
    network.close();
    for (CompletableFuture<PeerInfo> pending : pendingConnects) {
      pending.completeExceptionally(new IllegalStateException("socket closed before the connection completed"));
    }
    var shutdown = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (!loop.inEventLoop()) {
      shutdown.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    callbacks.shutdown();
  }

  // ---------------------------------------------------------------- for the handlers

  /** Runs {@code task} on the protocol thread: in place when already there. */
  void onLoop(Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else if (!loop.isShuttingDown()) {
      loop.execute(task);
    }
  }

  boolean mayReceive(PeerInfo peer, InternalMessage message) {
    try {
      return extension.mayReceive(peer, message);
    } catch (RuntimeException e) {
      log.warn("extension filter threw on {}; not sent to {}", message, peer.id(), e);
      return false;
    }
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

  Network network() {
    return network;
  }

  /** Publishes the routing table for lock-free readers; after every change. */
  void publishRouting() {
    Map<String, PeerInfo> view = new LinkedHashMap<>();
    Map<PeerInfo, Link> links = new LinkedHashMap<>();
    routedLinks.clear();
    for (Map.Entry<String, Peer> e : routing.entrySet()) {
      PeerInfo info = e.getValue().info();
      view.put(e.getKey(), info);
      links.put(info, e.getValue().link);
      routedLinks.add(e.getValue().link);
    }
    routingView = Collections.unmodifiableMap(view);
    linksView = Collections.unmodifiableMap(links);
    routingPeers = routing.values().toArray(new Peer[0]);
  }

  void send(Peer peer, int flag, List<?> payload) {
    peer.send(frame(InternalMessage.create(flag, id, nowSeconds(), payload)));
  }

  /**
   * The routed peers in routing order, as of the last {@link #publishRouting()}: an array, so a
   * relay's loop over them allocates nothing, and a link closing during the loop cannot disturb it.
   */
  Peer[] routingPeers() {
    return routingPeers;
  }

  @Override
  public String toString() {
    return "node " + id + " on " + boundAddress;
  }
}
