package org.syncmesh.mesh;

import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Compression;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Protocol;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.CompressionNegotiation;
import org.syncmesh.wire.Compressors;
import org.syncmesh.wire.ExtensionOffer;
import org.syncmesh.wire.FrameCodec;

/**
 * The settings of a {@link MeshSocket}, collected by its builder. Subclass builders (the sync
 * socket's) extend it with their own settings; {@code B} is the concrete builder type, so every
 * setter returns it.
 *
 * <p>Not thread-safe; a builder is used by one thread, then {@code build()} copies what it needs.
 *
 * @param <B> the concrete builder type
 */
public abstract class MeshOptions<B extends MeshOptions<B>> {

  String host = "127.0.0.1";
  int port = 0;
  Protocol protocol = new Protocol("mesh", Protocol.PLAINTEXT);
  @Nullable String outHost;
  int outPort = -1;
  int maxOutgoing = 4;
  int maxIncoming = 64;
  int maxFrameBytes = FrameCodec.DEFAULT_MAX_FRAME_BYTES;
  Clock clock = Clock.systemUTC();
  Duration handshakeTimeout = Duration.ofSeconds(10);
  Duration stalledFrameTimeout = Duration.ofSeconds(60);
  Duration connectTimeout = Duration.ofSeconds(5);
  Duration unwritableTimeout = Duration.ofSeconds(30);
  long maxPendingBytes = 64L * 1024 * 1024;
  int recvQueueCapacity = 65_536;
  List<Compression> compression = CompressionNegotiation.DEFAULT_PREFERENCE;
  @Nullable Executor callbackExecutor;
  int ioThreads = 1;
  boolean nativeTransport = true;
  boolean reconnect = true;
  Duration reconnectInitial = Duration.ofMillis(100);
  Duration reconnectMax = Duration.ofSeconds(30);
  int debugLevel = 0;
  @Nullable SslContext serverSsl;
  @Nullable SslContext clientSsl;
  @Nullable String id;
  @Nullable Path tlsCertificate;
  @Nullable Path tlsKey;
  @Nullable Path tlsCas;
  @Nullable NodeIdentity identity;
  @Nullable Path denyList;
  boolean broadcastTrees = true;
  int maxExtensionVersion = ExtensionOffer.THIS_BUILD.max();

  protected MeshOptions() {}

  /** The identity set with {@link #identity(NodeIdentity)}, or null: a subclass's builder reads it. */
  protected @Nullable NodeIdentity configuredIdentity() {
    return identity;
  }

  /** Whether {@link #secure} was called: the node runs in a secure network. */
  protected boolean secureNetwork() {
    return tlsCertificate != null;
  }

  /**
   * Runs the node in a secure network (docs/security.md): members only. Every link is TLS 1.3 with
   * mutual authentication: this node presents {@code certificate} (PEM, with its chain) and
   * {@code privateKey} (PEM, PKCS#8), and accepts only peers whose certificate chains to one of
   * the CAs in {@code trustedCas} (PEM, one or more: a CA can rotate), is valid now, and names the
   * node id the peer claims. The three files are read again when they change, for the next link,
   * so certificates rotate without a restart. The node's id comes from its {@link #identity}. The
   * transport is {@code SSL}; a plaintext or protocol-0.7 SSL peer is refused, and this node never
   * falls back to an open link.
   *
   * @throws IllegalArgumentException if a file does not exist
   */
  public B secure(Path certificate, Path privateKey, Path trustedCas) {
    this.tlsCertificate = existing(certificate, "certificate");
    this.tlsKey = existing(privateKey, "privateKey");
    this.tlsCas = existing(trustedCas, "trustedCas");
    return self();
  }

  /**
   * This node's identity key in a secure network: its id is the identity's
   * ({@link NodeIdentity#id()}). A sync socket with a data directory keeps one there by itself.
   */
  public B identity(NodeIdentity identity) {
    this.identity = Checks.notNull(identity, "identity");
    return self();
  }

  /**
   * A file of node ids this node refuses (one per line; {@code #} starts a comment), read again
   * when it changes: a listed member's links are closed and refused from then on (and, on a sync
   * socket, its writes).
   *
   * @throws IllegalArgumentException if the file does not exist
   */
  public B denyList(Path file) {
    this.denyList = existing(file, "denyList");
    return self();
  }

  private static Path existing(Path file, String name) {
    Checks.notNull(file, name);
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException(name + ": no such file: " + file.toAbsolutePath());
    }
    return file;
  }

  /** The id set with {@link #id(String)}, or null: a subclass's builder reads it. */
  protected @Nullable String configuredId() {
    return id;
  }

  /**
   * The protocol the socket will speak, derived from the configured one. The sync socket's
   * builder appends its leasing digit to the subnet here (docs/protocol-0.7.md §3.2), so calling
   * {@code build()} twice never appends it twice.
   */
  protected Protocol effectiveProtocol() {
    return protocol;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * This node's id instead of a fresh one: for a node that must keep its identity across
   * restarts (a sync socket with a data directory keeps it there by itself). Pure base58, 1–66
   * characters, as 0.7 ids are (docs/protocol-0.7.md §3.3). Two live nodes must never share one.
   *
   * @throws IllegalArgumentException if not pure base58 of 1–66 characters
   */
  public B id(String id) {
    Checks.notNull(id, "id");
    Checks.argument(!id.isEmpty() && id.length() <= 66 && org.syncmesh.wire.Base58.isBase58(id), "id", id,
        "pure base58, 1 to 66 characters");
    this.id = id;
    return self();
  }

  /** Address to bind. Default {@code 127.0.0.1}; {@code 0.0.0.0} listens on every interface. */
  public B host(String host) {
    this.host = Checks.notEmpty(host, "host");
    return self();
  }

  /** Port to bind, 0 for an ephemeral one (the default). Range 0–65535. */
  public B port(int port) {
    this.port = Checks.inRange(port, 0, 65_535, "port");
    return self();
  }

  /**
   * The network to join: subnet and transport ({@code Plaintext} or {@code SSL}). Nodes join only
   * nodes with the same protocol id. Default {@code ("mesh", "Plaintext")}.
   */
  public B protocol(Protocol protocol) {
    this.protocol = Checks.notNull(protocol, "protocol");
    return self();
  }

  /**
   * The address peers should use to reach this node, sent in the handshake. Default: the bound
   * host ({@code 127.0.0.1} when bound to {@code 0.0.0.0}) and the bound port.
   */
  public B outAddress(String host, int port) {
    this.outHost = Checks.notEmpty(host, "outAddress host");
    this.outPort = Checks.inRange(port, 1, 65_535, "outAddress port");
    return self();
  }

  /** Most connections this node opens itself when peers lists offer more. Default 4, at least 0. */
  public B maxOutgoing(int maxOutgoing) {
    this.maxOutgoing = Checks.inRange(maxOutgoing, 0, 1_000, "maxOutgoing");
    return self();
  }

  /**
   * Incoming links held at most, handshaken or not (default 64): a connection past it is closed
   * at once, with a status line, so whoever can reach the port cannot make this node hold an
   * unbounded number of channels and handshake timers.
   *
   * @throws IllegalArgumentException unless 1 to 10,000
   */
  public B maxIncoming(int maxIncoming) {
    this.maxIncoming = Checks.inRange(maxIncoming, 1, 10_000, "maxIncoming");
    return self();
  }

  /** Largest frame accepted, compressed or not. Default 16 MiB; at least 1 KiB. */
  public B maxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = Checks.inRange(maxFrameBytes, 1024, Integer.MAX_VALUE - 8, "maxFrameBytes");
    return self();
  }

  /** Source of wall-clock time (seconds UTC on the wire). Default the system UTC clock. */
  public B clock(Clock clock) {
    this.clock = Checks.notNull(clock, "clock");
    return self();
  }

  /**
   * How long a new connection may take to complete its handshake; a connection that has not
   * handshaken by then is closed. Over TLS the TLS handshake gets the same bound first. Default
   * 10 s.
   */
  public B handshakeTimeout(Duration timeout) {
    this.handshakeTimeout = Checks.positive(timeout, "handshakeTimeout");
    return self();
  }

  /** A connection stuck mid-frame this long is dropped. Default 60 s (docs/protocol-0.7.md §7.8). */
  public B stalledFrameTimeout(Duration timeout) {
    this.stalledFrameTimeout = Checks.positive(timeout, "stalledFrameTimeout");
    return self();
  }

  /** How long an outgoing TCP connect may take. Default 5 s. */
  public B connectTimeout(Duration timeout) {
    this.connectTimeout = Checks.positive(timeout, "connectTimeout");
    return self();
  }

  /**
   * Output bound per connection: a peer with more than {@code maxPendingBytes} queued, or whose
   * socket stays full for {@code unwritableTimeout}, is disconnected. "Full" means more than the
   * high-water mark, 4 MiB or {@code maxPendingBytes} if smaller, is queued beyond what the
   * socket took. So a peer that stops reading costs at most about {@code maxPendingBytes} of heap
   * and only its own connection; the drop is logged and listed in {@code status()}. Sends never
   * wait for a slow peer (see MeshSocket, "Back-pressure and memory"). Defaults 64 MiB and 30 s.
   *
   * @throws IllegalArgumentException if {@code maxPendingBytes} is below 1 MiB or the timeout
   *     is not positive
   */
  public B slowPeerLimits(long maxPendingBytes, Duration unwritableTimeout) {
    if (maxPendingBytes < 1024 * 1024) {
      throw new IllegalArgumentException("maxPendingBytes : " + maxPendingBytes + " (expected: >= 1048576)");
    }
    this.maxPendingBytes = maxPendingBytes;
    this.unwritableTimeout = Checks.positive(unwritableTimeout, "unwritableTimeout");
    return self();
  }

  /** Most messages kept for {@code recv()}; beyond it the oldest is dropped. Default 65,536. */
  public B recvQueueCapacity(int capacity) {
    this.recvQueueCapacity = Checks.inRange(capacity, 1, Integer.MAX_VALUE, "recvQueueCapacity");
    return self();
  }

  /**
   * Compression methods advertised, in preference order; empty disables compression. Default: snappy, zlib, gzip,
   * bz2, lzma, less those whose optional library (snappy-java, commons-compress, xz) is not on the class path; zlib
   * and gzip come from the JDK. With snappy among them, the first node of a process loads snappy-java's native
   * library as it starts, on a short-lived thread ({@code syncmesh-preload-snappy}), rather than at its first
   * snappy frame.
   *
   * @throws IllegalArgumentException if a method's library is missing (naming the library), or one is null
   */
  public B compression(List<Compression> methods) {
    List<Compression> copy = List.copyOf(Checks.notNull(methods, "compression"));
    for (Compression c : copy) {
      Checks.argument(Compressors.isAvailable(c), "compression", c,
          "a method whose library is on the class path: add " + Compressors.libraryName(c));
    }
    this.compression = copy;
    return self();
  }

  /**
   * Where listeners and callbacks run. Default: one thread owned by the socket, so events arrive
   * in order. Tests may pass {@code Runnable::run}; never pass a network thread.
   */
  public B callbackExecutor(Executor executor) {
    this.callbackExecutor = Checks.notNull(executor, "callbackExecutor");
    return self();
  }

  /** Network threads. Default 1, which also runs the protocol, so nothing hops threads. */
  public B ioThreads(int threads) {
    this.ioThreads = Checks.inRange(threads, 1, 64, "ioThreads");
    return self();
  }

  /**
   * Whether the node's sockets use Linux's epoll through Netty's native library where it loads
   * (default true; less CPU and garbage per frame than NIO). False, or where the library does not
   * load (another OS or CPU), they use the JDK's NIO. Peers see the same bytes either way.
   */
  public B nativeTransport(boolean enabled) {
    this.nativeTransport = enabled;
    return self();
  }

  /**
   * Redial delays: after a lost link or a failed redial the node waits a random time between 0
   * and {@code initial × 2^(failures so far)}, at most {@code max} ("full jitter"), so peers that
   * lost each other at once do not redial in step. Default 100 ms and 30 s. Used while
   * {@link #reconnect(boolean) reconnect} is on; see MeshSocket, "Reconnection".
   *
   * @throws IllegalArgumentException if {@code initial} is not positive, or {@code max} is below
   *     it or over a day
   */
  public B reconnect(Duration initial, Duration max) {
    Checks.positive(initial, "reconnect initial");
    Checks.positive(max, "reconnect max");
    if (max.compareTo(initial) < 0 || max.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("reconnect max : " + max + " (expected: >= initial " + initial + ", <= 1 day)");
    }
    this.reconnectInitial = initial;
    this.reconnectMax = max;
    return self();
  }

  /**
   * Whether the node redials on its own: addresses given to {@code connect()} until they answer,
   * and peers whose link dropped without this node deciding it. Default {@code true}; with
   * {@code false} a lost or refused peer stays gone until connected again by hand.
   */
  public B reconnect(boolean enabled) {
    this.reconnect = enabled;
    return self();
  }

  /**
   * Whether broadcasts to other syncmesh nodes of this build travel on a broadcast tree
   * (docs/extension-v2.md, with orphan notices: docs/extension-v3.md): eager pushes along a
   * spanning tree and batched announcements on the other links, so a broadcast crosses about one
   * link per node instead of every link. Default {@code true}. With {@code false} the node offers
   * extension version 1 only and floods every broadcast over every link, as protocol 0.7 does, for
   * comparison or a cautious rollout. Links to js2p, py2p and version-1 syncmesh nodes flood either
   * way.
   */
  public B broadcastTrees(boolean enabled) {
    this.broadcastTrees = enabled;
    return self();
  }

  /**
   * The highest syncmesh extension version this node offers (docs/extension-v1.md §1): 1
   * (versioned writes and anti-entropy, broadcasts flooded), 2 (broadcast trees,
   * docs/extension-v2.md) or 3 (their orphan notices, docs/extension-v3.md), the default. Each link
   * still runs the highest version both ends speak, so nodes of different caps and builds mix
   * freely; a lower cap holds back what the later versions add, to compare or while a rollout is
   * watched, without going back to an older build. {@code broadcastTrees(false)} caps at 1 whatever
   * this says.
   *
   * @throws IllegalArgumentException unless {@code 1 <= version <= 3}, the versions this build speaks
   */
  public B maxExtensionVersion(int version) {
    this.maxExtensionVersion = Checks.inRange(version, 1, ExtensionOffer.THIS_BUILD.max(), "maxExtensionVersion");
    return self();
  }

  /** Kept for the seed's signature; logging is configured through SLF4J instead. */
  public B debugLevel(int level) {
    this.debugLevel = level;
    return self();
  }

  /**
   * TLS contexts for the {@code SSL} transport, for tests (an impostor with its own certificate). Users choose
   * between the default, a self-signed certificate made at start and no verification of peers, which is what js2p
   * and py2p do (docs/protocol-0.7.md §1.1), and {@link #secure}; Netty's types stay out of the API.
   */
  B tls(SslContext server, SslContext client) {
    this.serverSsl = Checks.notNull(server, "server");
    this.clientSsl = Checks.notNull(client, "client");
    return self();
  }
}
