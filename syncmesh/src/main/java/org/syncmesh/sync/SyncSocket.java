package org.syncmesh.sync;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.MeshListener;
import org.syncmesh.mesh.MeshOptions;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.Message;
import org.syncmesh.mesh.MessageHandler;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.KeyValueStore;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.NodeId;

/**
 * A dictionary replicated over a protocol-0.7 mesh (docs/protocol-0.7.md §10): every node holds every key,
 * every write floods the network, and on leasing networks (the default) a key written by one
 * node cannot be changed by another for an hour. Wire-compatible with js2p 0.7.870 and py2p 0.7
 * sync sockets. It is also an alert network: the mesh methods ({@link #send}, {@link #recv},
 * {@link #connect}…) are those of the {@link MeshSocket} it runs on, {@link #mesh()}.
 *
 * <pre>{@code
 * try (SyncSocket a = new SyncSocket.Builder().build();
 *      SyncSocket b = new SyncSocket.Builder().build()) {
 *   b.connect("127.0.0.1", a.port()).join();
 *   a.set("hello", "world");
 *   // soon b.get("hello") is Optional["world"], owned by a: b.meta("hello").get().owner()
 * }
 * }</pre>
 *
 * <h2>Keys and values</h2>
 * Keys are {@link String}s (stored as their UTF-8 bytes), {@code byte[]} or {@link Bytes}; they
 * are returned as {@link Bytes}, and go on the wire as msgpack bin. Values are anything the wire
 * layer encodes (null, Boolean, integers, Float, Double, String, Bytes or byte[], List, Map) and
 * come back in its decoded form (Long for integers, Bytes for byte[], unmodifiable List and Map),
 * on this node as on every other. A null value deletes.
 *
 * <p>The methods named as in js2p and py2p's sync socket ({@code set}, {@code get}, {@code del},
 * {@code update}, {@code applyDelta} for {@code apply_delta}, {@code keys}, {@code items},
 * {@code pop}, {@code popitem}, {@code send}, {@code recv}, {@code connect}) are the js2p-compatible
 * surface kept from the seed API, for code ported from those libraries.
 * <p>For typed keys and values, {@link #map} gives a {@link SyncMap}, a {@code ConcurrentMap} view
 * through {@link Codec}s: {@code socket.map(Codecs.string(), Codecs.string())} reads back Strings.
 * {@link #onUpdate} and {@link #onDelete} take lambdas (with the old value) and return a
 * {@link Subscription}; {@link #awaitInitialSync()} says when a joiner holds its peer's keys.
 *
 * <h2>Concurrency</h2>
 * Every method may be called from any thread; the design is MeshSocket's "Concurrency". Reads
 * ({@link #get}, {@link #keys}, {@link #items}…) take no lock; the collections they return are
 * snapshots. A write ({@link #set}, {@link #del}, {@link #pop}, {@link #update},
 * {@link #applyDelta}) is validated and encoded on the caller's thread, so a bad key, an
 * unencodable value or one over the frame cap throws before anything is stored, sent or
 * announced; it then runs as one step of the node's single writer (lease check, change, event,
 * broadcast queued), in the order writes entered, local and remote alike, with no lock held:
 * on the caller's thread when no other step runs, else after the running ones. The synchronous
 * methods return once their step has run and throw what it threw ({@link LeaseException}); they
 * may wait before it while the node's send queue is full, that is while a peer is slow to read.
 * The {@code …Async} forms never wait: they return a future, failed at once with
 * {@link java.util.concurrent.RejectedExecutionException} when the send queue is full.
 * Listeners run on the callback executor, never on a network thread, and may write.
 *
 * <h2>Convergence</h2>
 * Between syncmesh nodes (links that negotiated extension v1, docs/extension-v1.md) every write
 * carries a {@link org.syncmesh.Version} from the node's hybrid logical clock, and a key's
 * state (value or tombstone, owner, timestamp, version, lease tenure, and the versions of a map's
 * fields written by {@link #applyDelta}) merges by rules that give every node the same state for
 * the same writes, in any order:
 * <ul>
 *   <li>leasing off: the later version wins; concurrent deltas to one map merge field by field;
 *   <li>leasing on: the first claim of a free key holds it until an hour after its owner's last
 *       write, judged from the writes' own times; two concurrent claims of one epoch go to the
 *       earlier, on every node, and the loser's node hears of it through its update event;
 *   <li>a delete leaves a tombstone ({@link #meta} says {@link MetaTuple#deleted()}), kept for
 *       {@link Builder#tombstoneGrace} (24 h), so a stale copy cannot bring the key back; a node
 *       away for longer drops, with a status line and a delete event, what the network deleted.
 * </ul>
 * On every new link and every {@link Builder#antiEntropyInterval} (2 s) two syncmesh peers compare
 * digests of their dictionaries and send each other exactly what differs, paced by the link
 * ({@link #peerSync()} shows the outcome). A joiner with an empty dictionary gets every key at
 * once. A version more than {@link Builder#maxClockDrift} (60 s) ahead of this node's clock is
 * refused, and this node refuses its own writes ({@link ClockDriftException}) while its clock
 * is that far ahead of a peer's.
 *
 * <h2>Durability</h2>
 * With a {@link Builder#dataDirectory} the node keeps itself on disk (docs/data-directory.md):
 * it restarts as the same node (id, leases, every key with its version, tombstones, the peers it
 * knew, which it redials) and catches up on what it missed through anti-entropy. A write method
 * returns, or its future completes, only once its change is saved: it survives {@code kill -9}
 * ({@link Durability#PROCESS_CRASH}) or power loss too ({@link Durability#SYNC}). Saving runs on
 * a thread of its own that writes everything waiting as one batch, so concurrent writers share
 * a write and a sync, and no network thread ever waits for the disk. Remote writes are saved as
 * they are applied; one lost in a crash comes back from peers. While the disk refuses writes
 * (full, read-only) local writes throw {@link org.syncmesh.store.StorageException} before
 * anything is stored or sent; reads and the network keep working, and the node saves everything
 * once the disk accepts writes again.
 *
 * <h2>Joining, for js2p and py2p peers</h2>
 * When a js2p or py2p peer connects, this node sends it every key with its owner and timestamp
 * (the initial sync, §10.6), paced by that peer's connection: a chunk at a time, the next once the
 * peer has read it, each key as it is when its turn comes. Their writes get a version derived from
 * their second, owner, key and value, the same on every syncmesh node.
 *
 * <h2>Known limits of protocol 0.7</h2>
 * A value's broadcast, with the owner and timestamp an initial sync adds, must fit the frame cap
 * ({@link org.syncmesh.mesh.MeshOptions#maxFrameBytes}, 16 MiB by default); a larger one is
 * refused with {@link org.syncmesh.MessageTooLargeException}.
 * <ul>
 *   <li>js2p cannot delete, and a delete reaching a js2p node drops its links (docs/protocol-0.7.md §10.7).
 *       So deletes (nil stores) are never sent to js2p peers, nor are keys that name
 *       {@code Object.prototype} members ({@code constructor}, {@code toString}…) or map values
 *       with a {@code toString} or {@code __proto__} key, which crash js2p too. A js2p node
 *       therefore keeps a deleted key with its old value, owner and timestamp, and gives it back
 *       to every node that joins through it; a syncmesh node that still holds the tombstone (or
 *       has collected it) refuses that copy.
 *   <li>js2p and py2p have no tombstones and no anti-entropy (§13.9, §13.10): between them, or
 *       where syncmesh nodes reach each other only through them, a missed write or delete stays
 *       missed (docs/extension-v1.md, "Mixed networks").
 *   <li>Nothing is authenticated (§13.3): any peer can claim any owner and timestamp.
 * </ul>
 */
public final class SyncSocket implements AutoCloseable {

  /** The default subnet; the leasing digit is appended to it, giving "sync1" or "sync0". */
  public static final String DEFAULT_SUBNET = "sync";

  private final boolean leasing;
  private final MeshSocket mesh;
  private final MeshExtension.Node node;
  private final Store store;
  private final LocalWrites writes;
  private final AntiEntropy antiEntropy;
  private final @Nullable DurableNode durable;
  private final @Nullable Journal journal;
  /** Signed writes (§8): null in an open network. */
  private final @Nullable SignedWrites signing;
  private final @Nullable WriteSigner signer;
  private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();
  /** The functional listeners of {@link #onUpdate} and {@link #onDelete}. */
  private final Subscribers subscribers = new Subscribers();
  /** Completed, on the callback executor, with the peer of this node's first finished initial sync. */
  private final CompletableFuture<String> initialSync = new CompletableFuture<>();

  /**
   * Builder of {@link SyncSocket}: the mesh settings of {@link MeshOptions} plus leasing. The
   * protocol's subnet gets the leasing digit appended ("sync" becomes "sync1", or "sync0" without
   * leasing), as js2p and py2p do, so leasing and non-leasing networks never mix.
   *
   * <p>Made with {@code new SyncSocket.Builder()}, as OkHttp's clients are.
   */
  public static final class Builder extends MeshOptions<Builder> {
    private boolean leasing = true;
    private int maxEntries = StoreLimits.DEFAULTS.maxEntries();
    private Duration tombstoneGrace = StoreLimits.DEFAULTS.tombstoneGrace();
    private Duration antiEntropyInterval = StoreLimits.DEFAULTS.antiEntropyInterval();
    private Duration maxClockDrift = HybridClock.DEFAULT_MAX_DRIFT;
    private @Nullable Path dataDirectory;
    private Durability durability = Durability.PROCESS_CRASH;
    // ---- signed writes (docs/extension-v1.md §8) ----
    private java.util.function.Predicate<String> deniedWriters = id -> false;
    private org.syncmesh.@Nullable NodeIdentity signedForTests;

    /**
     * Writers whose writes are dropped in a secure network (default none); meant for the mesh's
     * deny list. Called from the verifier threads: must be thread-safe.
     */
    Builder deniedWriters(java.util.function.Predicate<String> denied) {
      this.deniedWriters = Checks.notNull(denied, "denied");
      return this;
    }

    /**
     * For tests only: signs and checks writes as in a secure network (§8) with {@code identity},
     * whose id becomes the node's, over whatever links the node has (plaintext too).
     */
    /** Tests: this node's signer never signs, as if the process were killed before it could. */
    Builder holdSignaturesForTests() {
      this.holdSignaturesForTests = true;
      return this;
    }

    private boolean holdSignaturesForTests;

    Builder signedForTests(org.syncmesh.NodeIdentity identity) {
      this.signedForTests = Checks.notNull(identity, "identity");
      id(identity.id());
      return this;
    }

    /**
     * The identity that signs this node's writes: in a secure network the configured one or the
     * data directory's {@code identity.key}; with the test hook its identity; else null.
     */
    private org.syncmesh.@Nullable NodeIdentity signingIdentity(@Nullable DataDirectory data) {
      if (signedForTests != null) {
        return signedForTests;
      }
      if (!secureNetwork()) {
        return null;
      }
      NodeIdentity configured = configuredIdentity();
      return configured != null || data == null ? configured : IdentityKeys.ofDataDirectory(data.path());
    }
    // ---- end of signed writes ----

    /**
     * Keeps the node in {@code dir}, which it creates if absent (docs/data-directory.md): the node
     * restarts as the same node, with the same id (its leases still hold), every key with its
     * version, owner and timestamp, its tombstones, and the peers it knew, which it redials; it
     * then catches up on what it missed through anti-entropy. A write that has returned survives
     * the process being killed ({@link #durability} says what more). One node per directory: a
     * second process is refused, as is a directory of another node, protocol or newer format.
     * Without one (the default) the node keeps everything in memory only. In a secure network
     * ({@link #secure}) the directory also keeps the node's identity key, {@code identity.key},
     * made at the first start unless {@link #identity} gives it; the node's id is the key's.
     */
    public Builder dataDirectory(Path dir) {
      this.dataDirectory = Checks.notNull(dir, "dir");
      return this;
    }

    /**
     * What a returned write survives with a {@link #dataDirectory}: the process being killed
     * ({@link Durability#PROCESS_CRASH}, the default) or power loss too ({@link Durability#SYNC},
     * at the cost of a sync per group of concurrent writes).
     */
    public Builder durability(Durability durability) {
      this.durability = Checks.notNull(durability, "durability");
      return this;
    }

    /** How the data directory is opened: {@link DataDirectory#open}, or, in tests, with a store that fails. */
    interface DirectoryOpener {
      DataDirectory open(Path dir, String protocolId, @Nullable String configuredId,
          java.util.function.Supplier<String> newId, java.util.function.@Nullable Function<Path, String> identityKey);
    }

    private DirectoryOpener directoryOpener = DataDirectory::open;

    /** For tests: opens the data directory with {@code opener} (say, one whose store's writes fail). */
    Builder directoryOpener(DirectoryOpener opener) {
      this.directoryOpener = Checks.notNull(opener, "opener");
      return this;
    }

    private @Nullable String restoreId() {
      return configuredId();
    }

    /**
     * The id of a secure node without a data directory: its identity's. Null for an open network
     * or a data directory (whose identity key gives the id).
     *
     * @throws IllegalArgumentException if a secure node has neither an identity nor a data
     *     directory, or an {@code id(...)} that is not its identity's
     */
    private @Nullable String secureId() {
      if (!secureNetwork()) {
        return null;
      }
      NodeIdentity identity = configuredIdentity();
      String id = configuredId();
      if (identity == null && dataDirectory == null) {
        throw new IllegalArgumentException("a node of a secure network needs an identity key: give it identity(...) "
            + "or a dataDirectory(...), which keeps one in identity.key (docs/security.md)");
      }
      if (id != null && (identity == null || !id.equals(identity.id()))) {
        throw new IllegalArgumentException("id(" + id + ") is not this node's identity's id"
            + (identity == null ? "" : ", " + identity.id())
            + ": in a secure network a node's id is its identity key's; leave id(...) out");
      }
      return identity == null ? null : identity.id();
    }

    /** For a secure node with a data directory: reads or makes its identity key there. */
    private java.util.function.@Nullable Function<Path, String> identityKey() {
      return secureNetwork() ? IdentityKeys.forDataDirectory(configuredIdentity()) : null;
    }

    /**
     * How long a delete's tombstone is kept (default 24 h): a node that was away longer than this
     * may hold keys deleted meanwhile, and drops, with a report, what the network has forgotten
     * (docs/extension-v1.md §4).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder tombstoneGrace(Duration grace) {
      this.tombstoneGrace = Checks.positive(grace, "tombstoneGrace");
      return this;
    }

    /**
     * How often anti-entropy compares this node's dictionary with each syncmesh peer's (default 2 s).
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder antiEntropyInterval(Duration interval) {
      this.antiEntropyInterval = Checks.positive(interval, "antiEntropyInterval");
      return this;
    }

    /**
     * How far ahead of this node's clock a peer's version may be (default 60 s); further ahead it
     * is refused, and this node refuses its own writes while its clock is that far ahead of a peer's.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxClockDrift(Duration drift) {
      this.maxClockDrift = Checks.positive(drift, "maxClockDrift");
      return this;
    }

    /**
     * Keys and tombstones held at most (default 10,000,000): past it new keys are refused, local
     * ones with an exception, remote ones with a status line.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxEntries(int maxEntries) {
      Checks.argument(maxEntries > 0, "maxEntries", maxEntries, "> 0");
      this.maxEntries = maxEntries;
      return this;
    }

    /** A builder with every default: 127.0.0.1, ephemeral port, subnet "sync", Plaintext, leasing on. */
    public Builder() {
      protocol(new Protocol(DEFAULT_SUBNET, Protocol.PLAINTEXT));
    }

    /** Whether writes hold their key for an hour against other owners (§10.3). Default true. */
    public Builder leasing(boolean leasing) {
      this.leasing = leasing;
      return this;
    }

    @Override
    protected Protocol effectiveProtocol() {
      Protocol p = super.effectiveProtocol();
      // A secure network runs over TLS whatever the protocol names (MeshNode); the data directory records that.
      return new Protocol(p.subnet() + (leasing ? "1" : "0"), secureNetwork() ? Protocol.SSL : p.transport());
    }

    /**
     * Binds and returns a listening socket.
     *
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public SyncSocket build() {
      return new SyncSocket(this);
    }
  }

  /** The seed's constructor: binds {@code addr:port}, leasing on, subnet "sync". */
  public SyncSocket(String addr, int port) {
    this(new Builder().host(addr).port(port));
  }

  /** The seed's constructor with leasing. */
  public SyncSocket(String addr, int port, boolean leasing) {
    this(new Builder().host(addr).port(port).leasing(leasing));
  }

  /** The seed's constructor with leasing and a protocol, whose subnet gets the leasing digit. */
  public SyncSocket(String addr, int port, boolean leasing, Protocol protocol) {
    this(new Builder().host(addr).port(port).leasing(leasing).protocol(protocol));
  }

  /** The seed's constructor with an outward address too. */
  public SyncSocket(String addr, int port, boolean leasing, Protocol protocol, InetSocketAddress outAddr) {
    this(new Builder().host(addr).port(port).leasing(leasing).protocol(protocol)
        .outAddress(outAddr.getHostString(), outAddr.getPort()));
  }

  /** The seed's full constructor; {@code debugLevel} is kept, logging goes through SLF4J. */
  public SyncSocket(String addr, int port, boolean leasing, Protocol protocol, InetSocketAddress outAddr,
      int debugLevel) {
    this(new Builder().host(addr).port(port).leasing(leasing).protocol(protocol)
        .outAddress(outAddr.getHostString(), outAddr.getPort()).debugLevel(debugLevel));
  }

  private SyncSocket(Builder builder) {
    this.leasing = builder.leasing;
    Parts parts = new Parts();
    parts.holdSignatures = builder.holdSignaturesForTests;
    // Effects get the node itself: peers may write before this constructor has set its fields.
    StoreLimits limits = new StoreLimits(builder.maxEntries, builder.tombstoneGrace, builder.antiEntropyInterval,
        StoreLimits.DEFAULTS.maxRoundsPerSecond());
    Protocol protocol = builder.effectiveProtocol();
    String secureId = builder.secureId();
    DataDirectory data = builder.dataDirectory == null ? null
        : builder.directoryOpener.open(builder.dataDirectory, protocol.id(), builder.restoreId(),
            () -> NodeId.random(protocol), builder.identityKey());
    org.syncmesh.NodeIdentity signer = builder.signingIdentity(data);
    // The deny list is the mesh's, which does not exist yet when the extension is installed.
    java.util.concurrent.atomic.AtomicReference<MeshSocket> meshRef = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.function.Predicate<String> denied = id -> builder.deniedWriters.test(id)
        || (meshRef.get() != null && meshRef.get().isDenied(id));
    java.util.function.Function<MeshExtension.Node, SignedWrites> signing = signer == null ? node -> null
        : node -> new SignedWrites(signer, protocol.id(), denied, builder.leasing); // §8: secure networks only
    java.util.function.Function<MeshExtension.Node, MeshExtension> install =
        node -> parts.install(node, leasing, new Effects(node), limits, builder.maxClockDrift, data, builder.durability,
            signing.apply(node), peer -> initiallySynced(node, peer));
    try {
      String id = data != null ? data.nodeId() : secureId;
      this.mesh = id == null ? Extensions.meshSocket(builder, install)
          : Extensions.meshSocket(builder, id, install);
      meshRef.set(mesh);
    } catch (RuntimeException e) {
      if (parts.durable != null) {
        parts.durable.close();
      } else if (data != null) {
        data.close();
      }
      throw e;
    }
    this.node = parts.node;
    this.store = parts.store;
    this.writes = parts.writes;
    this.antiEntropy = parts.antiEntropy;
    this.signing = parts.signing;
    this.signer = parts.signer;
    this.durable = parts.durable;
    this.journal = durable == null ? null : durable.journal();
    if (durable != null) {
      for (InetSocketAddress peer : durable.knownPeers()) {
        mesh.connect(peer.getHostString(), peer.getPort()); // a seed: redialled until it answers
      }
    }
  }

  /** How often a durable node looks whether its peers changed, to save them (cheap when they did not). */
  private static final Duration REMEMBER_PEERS_EVERY = Duration.ofSeconds(1);

  /** What the extension factory makes, kept for the constructor (a lambda cannot set final fields). */
  private static final class Parts {
    MeshExtension.Node node;
    Store store;
    LocalWrites writes;

    AntiEntropy antiEntropy;
    @Nullable DurableNode durable;
    @Nullable SignedWrites signing;
    @Nullable WriteSigner signer;
    /** Tests: the signer signs nothing, as if the process were killed before it could. */
    boolean holdSignatures;

    MeshExtension install(MeshExtension.Node node, boolean leasing, Store.Effects effects, StoreLimits limits,
        Duration maxDrift, @Nullable DataDirectory data, Durability durability, @Nullable SignedWrites signing,
        java.util.function.Consumer<String> synced) {
      this.node = node;
      this.writes = new LocalWrites(node, new Outbox());
      HybridClock clock = new HybridClock(node.id(), new NodeClock(node), maxDrift);
      this.store = new Store(node.id(), leasing, effects, writes, clock, limits,
          data == null ? 0 : data.store().estimateCount(KeyValueStore.Column.ENTRIES));
      writes.guessWith(store::guess);
      if (signing != null) { // a secure network: signed writes (§8), signed in batches and sent by the signer
        this.signing = signing;
        Store s = store;
        LocalWrites w = writes;
        this.signer = new WriteSigner(signing, batch -> {
          for (SignedWrites.KeyedWrite k : batch) {
            node.broadcast(w.signedFrame(k), peer -> peer.extensionVersion() >= 1);
          }
          node.serially(() -> s.signaturesMade(batch));
        }, !holdSignatures);
        writes.signWith(signing, signer);
        store.keepSignatures();
      }
      if (data != null) {
        DurableNode d = DurableNode.load(data, store, durability, limits.tombstoneGrace().toMillis(), node.nowMillis(),
            node::reportError);
        this.durable = d;
        if (signer != null) { // writes the process saved but never signed (it was killed): signed now
          store.pendingSignatures().forEach(signer::submit);
        }
        node.every(REMEMBER_PEERS_EVERY, () -> node.serially(() -> d.remember(node.peers(), node.nowMillis(), false)));
      }
      this.antiEntropy = new AntiEntropy(node, store, limits);
      if (signing != null) {
        SignedWrites sw = signing;
        antiEntropy.signPendingWith(sw::signedAll);
      }
      Store s = store;
      AntiEntropy ae = antiEntropy;
      node.every(limits.antiEntropyInterval(), ae::tick);
      long grace = limits.tombstoneGrace().toMillis();
      node.every(Duration.ofMillis(Math.max(100, Math.min(60_000, grace / 10))),
          () -> node.serially(() -> s.collectTombstones(grace)));
      SyncExtension extension = new SyncExtension(node, store, new StoreHandler(store, effects, node), antiEntropy,
          signing);
      // After the entries that came before it are applied, and after their events: see awaitInitialSync.
      ae.whenSynced(peer -> extension.afterArrived(() -> node.callback(() -> synced.accept(peer))));
      return extension;
    }
  }

  /** The node's clock as a {@link java.time.Clock}, for the hybrid clock. */
  private static final class NodeClock extends java.time.Clock {
    private final MeshExtension.Node node;

    NodeClock(MeshExtension.Node node) {
      this.node = node;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("the node's clock is UTC");
    }

    @Override
    public long millis() {
      return node.nowMillis();
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis());
    }
  }

  /** Whether this node enforces leases. */
  public boolean leasing() {
    return leasing;
  }

  /** The mesh this dictionary runs on: its peers, broadcasts and messages. */
  public MeshSocket mesh() {
    return mesh;
  }

  // ---------------------------------------------------------------- reads

  /**
   * The value at {@code key}, if any. Takes no lock.
   *
   * @throws IllegalArgumentException if the key is not a String, byte[] or Bytes
   */
  public Optional<Object> get(Object key) {
    Store.Entry e = store.live(Keys.of(key));
    return e == null ? Optional.empty() : Optional.of(e.value());
  }

  /**
   * The seed's {@code get(key, fallback)}: the value at {@code key}, or {@code fallback}. Unlike
   * js2p, a stored 0, "" or false is returned as stored.
   *
   * @throws IllegalArgumentException if the key is not a String, byte[] or Bytes
   */
  public @Nullable Object get(Object key, @Nullable Object fallback) {
    Store.Entry e = store.live(Keys.of(key));
    return e == null ? fallback : e.value();
  }

  /**
   * The owner, timestamp and version of {@code key}'s last change, if this node holds the key or
   * its tombstone: a deleted key's meta says {@link MetaTuple#deleted() deleted}, until the
   * tombstone is collected (see {@link Builder#tombstoneGrace}).
   */
  public Optional<MetaTuple> meta(Object key) {
    Store.Entry e = store.entry(Keys.of(key));
    return e == null ? Optional.empty() : Optional.of(e.meta());
  }

  /** Whether {@code key} holds a value. */
  public boolean containsKey(Object key) {
    return store.live(Keys.of(key)) != null;
  }

  /**
   * Each peer's sync state: its dialect, the extension version of its link, and, for syncmesh
   * peers, whether the last anti-entropy round found the two dictionaries identical, and when.
   * A snapshot; thread-safe.
   */
  public Map<String, PeerSyncState> peerSync() {
    Map<String, PeerSyncState> out = new java.util.LinkedHashMap<>();
    Map<String, AntiEntropy.PeerSession> states = antiEntropy.peers();
    for (PeerInfo p : routingTable().values()) {
      AntiEntropy.PeerSession s = states.get(p.id());
      long last = s == null ? 0 : s.lastRoundMillis;
      long inSyncAt = s == null ? 0 : s.lastInSyncMillis;
      long took = s == null ? -1 : s.lastRoundDurationMillis;
      out.put(p.id(), new PeerSyncState(p.id(), p.dialect(), p.extensionVersion(), s != null && s.inSync,
          last == 0 ? null : java.time.Instant.ofEpochMilli(last),
          inSyncAt == 0 ? null : java.time.Instant.ofEpochMilli(inSyncAt),
          took < 0 ? null : java.time.Duration.ofMillis(took), s != null && s.initialSyncDone,
          s == null ? 0 : s.entriesReceived, s == null ? -1 : s.peerEntries));
    }
    return Collections.unmodifiableMap(out);
  }

  /** For tests: what proves {@code key}'s state here (a secure network's, §8), or null. */
  SignedWrites.@Nullable Proof proofForTests(Object key) {
    Bytes k = Keys.of(key);
    Store.Entry e = store.entry(k);
    return e == null ? null : store.proof(k, e);
  }

  /**
   * For tests: the whole state of a secure leasing network's node, each key's visible state first,
   * then the other records of its tenure history (§8.4), best first; the owner's msgpack type left out.
   */
  Map<Bytes, List<Store.Entry>> wholeState() {
    Map<Bytes, List<Store.Entry>> out = new HashMap<>();
    for (Map.Entry<Bytes, Store.Entry> e : snapshot().entrySet()) {
      List<Store.Entry> states = new java.util.ArrayList<>();
      states.add(e.getValue());
      for (History.Record r : store.others(e.getKey())) {
        Store.Entry s = r.state();
        states.add(new Store.Entry(s.value(), s.version(), s.timestamp(), s.base(), s.fields(), s.epoch(), s.claim(),
            false));
      }
      out.put(e.getKey(), states);
    }
    return out;
  }

  /**
   * The whole state, tombstones included, with the owner id's msgpack type left out (it is how a
   * peer spelled the id, not part of the state): what "identical" compares in tests.
   */
  Map<Bytes, Store.Entry> snapshot() {
    Map<Bytes, Store.Entry> copy = new HashMap<>();
    for (Map.Entry<Bytes, Store.Entry> e : store.entries()) {
      Store.Entry s = e.getValue();
      copy.put(e.getKey(), s.ownerBin()
          ? new Store.Entry(s.value(), s.version(), s.timestamp(), s.base(), s.fields(), s.epoch(), s.claim(), false) : s);
    }
    return copy;
  }

  /** Tombstones held: deleted keys not yet collected (see {@link Builder#tombstoneGrace}). */
  public int tombstones() {
    return store.tombstones();
  }

  /** Number of keys. */
  public int size() {
    return store.size();
  }

  /** A snapshot of the keys; never changes under the caller. */
  public Set<Bytes> keys() {
    return Set.copyOf(items().keySet());
  }

  /** A snapshot of the values. */
  public List<Object> values() {
    return List.copyOf(items().values());
  }

  /**
   * Calls {@code action} with every key that holds a value and its value, as they are while the walk
   * goes on: nothing is copied, so a walk of a large dictionary allocates nothing of its own, and
   * writes made meanwhile may or may not be seen (each key at most once). For a consistent copy, use
   * {@link #items()}. Any thread; {@code action} runs on the calling thread.
   *
   * @throws NullPointerException if {@code action} is null
   */
  public void forEach(java.util.function.BiConsumer<? super Bytes, ? super Object> action) {
    Checks.notNull(action, "action");
    for (Map.Entry<Bytes, Store.Entry> e : store.entries()) {
      Object value = e.getValue().value();
      if (value != null) {
        action.accept(e.getKey(), value);
      }
    }
  }

  /** A snapshot of every key and value; unmodifiable. */
  public Map<Bytes, Object> items() {
    Map<Bytes, Object> copy = new HashMap<>();
    for (Map.Entry<Bytes, Store.Entry> e : store.entries()) {
      Object value = e.getValue().value();
      if (value != null) {
        copy.put(e.getKey(), value);
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  /** The same snapshot as {@link #items()}, under py2p's name for it. */
  public Map<Bytes, Object> copy() {
    return items();
  }

  // ---------------------------------------------------------------- writes

  /**
   * Stores {@code value} at {@code key} on this node and broadcasts it; null deletes, as
   * {@link #del}. The write is owned by this node at the broadcast's time.
   *
   * @throws IllegalArgumentException if the key is not a String, byte[] or Bytes, or the value
   *     cannot be encoded or is too large ({@link org.syncmesh.MessageTooLargeException});
   *     nothing is stored or sent then
   * @throws LeaseException if another node holds the key's lease (or, without leasing, a newer write)
   * @throws IllegalStateException if the socket is closed
   */
  public void set(Object key, @Nullable Object value) {
    LocalWrite write = writes.store(Keys.of(key), value);
    await(submitWrite(() -> store.store(write), false));
  }

  /**
   * {@link #set} without waiting: the future completes once the write is applied and its
   * broadcast queued, or fails with what {@code set} would throw; it fails at once with
   * {@link java.util.concurrent.RejectedExecutionException} when the node's send queue is full.
   *
   * @throws IllegalArgumentException as {@link #set}, before anything is queued
   */
  public CompletableFuture<Void> setAsync(Object key, @Nullable Object value) {
    LocalWrite write = writes.store(Keys.of(key), value);
    return submitWrite(() -> {
      store.store(write);
      return null;
    }, true);
  }

  /**
   * Stores every entry of {@code map}, as {@link #set} does, or none: every key and value is
   * checked, and every lease, before the first is stored. Keys that are equal as bytes (a
   * String and its UTF-8 byte[]) count once, the later one winning.
   *
   * @throws IllegalArgumentException if a key or value is invalid or too large
   * @throws LeaseException if another node holds one of the keys
   */
  public void update(Map<?, ?> map) {
    List<LocalWrite> all = prepare(map);
    await(submitWrite(() -> {
      store.storeAll(all);
      return null;
    }, false));
  }

  /** {@link #update} without waiting, as {@link #setAsync}. */
  public CompletableFuture<Void> updateAsync(Map<?, ?> map) {
    List<LocalWrite> all = prepare(map);
    return submitWrite(() -> {
      store.storeAll(all);
      return null;
    }, true);
  }

  /**
   * Deletes {@code key} here and on every py2p and syncmesh peer (never on js2p peers: see the
   * class notes). Returns false, sending nothing, if the key is absent.
   *
   * @throws LeaseException if another node holds the key
   */
  public boolean del(Object key) {
    return delete(key) != null;
  }

  /** {@link #del} without waiting, as {@link #setAsync}; true if the key held a value. */
  public CompletableFuture<Boolean> delAsync(Object key) {
    LocalWrite write = writes.store(Keys.of(key), null);
    return submitWrite(() -> store.store(write) != null, true);
  }

  /**
   * Deletes {@code key} and returns its value, or returns {@code fallback} if it is absent.
   *
   * @throws LeaseException if another node holds the key
   */
  public @Nullable Object pop(Object key, @Nullable Object fallback) {
    Store.Entry e = delete(key);
    return e == null ? fallback : e.value();
  }

  /** Deletes {@code key} and returns its value, if it held one. */
  public Optional<Object> pop(Object key) {
    return Optional.ofNullable(pop(key, null));
  }

  private Store.@Nullable Entry delete(Object key) {
    LocalWrite write = writes.store(Keys.of(key), null);
    return await(submitWrite(() -> store.store(write), false));
  }

  /**
   * Deletes some key this node may delete and returns it with its value.
   *
   * @throws NoSuchElementException if the dictionary is empty
   * @throws LeaseException if every key is leased by another node
   */
  public Map.Entry<Bytes, Object> popitem() {
    Map.Entry<Bytes, Object> e = await(submitWrite(store::popAny, false));
    if (e == null) {
      throw new NoSuchElementException("popitem(): the dictionary is empty");
    }
    return e;
  }

  /**
   * Merges {@code delta} into the map at {@code key} (an absent key starts as an empty map) and
   * broadcasts the delta, the peers' {@code [17, key, map]} (§10.5). This node takes the lease
   * of the whole key. Returns the merged map.
   *
   * @throws IllegalArgumentException if the delta cannot be encoded, the key holds a non-map, or
   *     the merged map would be too large; nothing is stored or sent then
   * @throws LeaseException if another node holds the key
   */
  public Map<Object, Object> applyDelta(Object key, Map<?, ?> delta) {
    Checks.notNull(delta, "delta");
    LocalWrite write = writes.delta(Keys.of(key), delta);
    return await(submitWrite(() -> store.delta(write), false));
  }

  /** {@link #applyDelta} without waiting, as {@link #setAsync}; completes with the merged map. */
  public CompletableFuture<Map<Object, Object>> applyDeltaAsync(Object key, Map<?, ?> delta) {
    Checks.notNull(delta, "delta");
    LocalWrite write = writes.delta(Keys.of(key), delta);
    return submitWrite(() -> store.delta(write), true);
  }

  private List<LocalWrite> prepare(Map<?, ?> map) {
    Checks.notNull(map, "map");
    Map<Bytes, @Nullable Object> values = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : new ArrayList<>(map.entrySet())) {
      values.put(Keys.of(e.getKey()), e.getValue());
    }
    List<LocalWrite> all = new ArrayList<>(values.size());
    for (Map.Entry<Bytes, @Nullable Object> e : values.entrySet()) {
      all.add(writes.store(e.getKey(), e.getValue()));
    }
    return all;
  }

  /**
   * Submits a write's step ({@code tryOnly}: refused at once when the node's queue is full, as
   * the async methods promise) and, on a durable node, completes only once the journal has saved
   * what the step changed.
   */
  private <T> CompletableFuture<T> submitWrite(java.util.function.Supplier<T> step, boolean tryOnly) {
    WriteSigner ws = signer;
    if (ws != null && !tryOnly) {
      ws.awaitRoom();
    }
    Journal j = journal;
    if (j == null) {
      return tryOnly ? node.trySubmit(step) : node.submit(step);
    }
    j.requireWritable();
    java.util.function.Supplier<Applied<T>> applied = () -> new Applied<>(step.get(), j.recorded());
    return (tryOnly ? node.trySubmit(applied) : node.submit(applied))
        .thenCompose(a -> j.whenSaved(a.seq()).thenApply(saved -> a.result()));
  }

  /** A step's result and the journal's number after it. */
  private record Applied<T>(T result, long seq) {}

  /** Waits for a write and throws what it threw, as the synchronous methods promise. */
  static <T> T await(CompletableFuture<T> write) {
    try {
      return write.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- typed view

  /**
   * A typed {@link SyncMap} view of this dictionary, its keys and values converted by {@code keys}
   * and {@code values}; cheap to make, any number may share the socket.
   *
   * <pre>{@code SyncMap<String, String> names = socket.map(Codecs.string(), Codecs.string());}</pre>
   */
  public <K, V> SyncMap<K, V> map(Codec<K> keys, Codec<V> values) {
    return new TypedSyncMap<>(this, Checks.notNull(keys, "keys"), Checks.notNull(values, "values"));
  }

  Store store() {
    return store;
  }

  /** The node's anti-entropy, for its per-link meters. */
  AntiEntropy antiEntropy() {
    return antiEntropy;
  }

  /** A local store of {@code value} (null deletes) at {@code key}, checked and encoded on the caller's thread. */
  LocalWrite localWrite(Bytes key, @Nullable Object value) {
    return writes.store(key, value);
  }

  /** Runs {@code step} as a write's step, as the write methods do ({@code tryOnly}: the async ones). */
  <T> CompletableFuture<T> write(java.util.function.Supplier<T> step, boolean tryOnly) {
    return submitWrite(step, tryOnly);
  }

  /** Runs {@code task} on the callback executor after every event queued before it. */
  void callback(Runnable task) {
    node.callback(task);
  }

  // ---------------------------------------------------------------- events

  /**
   * Calls {@code listener} with every key stored on this node from now on, locally or by a peer,
   * with the value it held before (null if none) and the new one (for a delta, the whole merged
   * map); keys as {@link Bytes}, values in the wire layer's form. Runs as {@link SyncListener}s do:
   * on the callback executor, one event at a time, in the order changes were applied. Listeners may
   * add and close subscriptions, their own included, from inside the callback.
   */
  public Subscription onUpdate(UpdateListener<Bytes, Object> listener) {
    return subscribers.onUpdate(Checks.notNull(listener, "listener"));
  }

  /** As {@link #onUpdate}, for every key deleted on this node from now on, with the value it held. */
  public Subscription onDelete(DeleteListener<Bytes, Object> listener) {
    return subscribers.onDelete(Checks.notNull(listener, "listener"));
  }

  /**
   * Completes once this node has finished its first initial sync with a syncmesh peer: an
   * anti-entropy round (docs/extension-v1.md §5) after which this node holds everything that peer
   * sent it, applied, and its update events queued before the future completes. Completes at once
   * if that has happened already, or if this node has no syncmesh peer now (then there is nothing
   * to wait for; a node that will dial its peers, such as a durable node at start, should call
   * this once linked). js2p and py2p peers send their initial sync with no end marker, so they are
   * not waited for. If the peer leaves first, it waits for the next; add a timeout with
   * {@link CompletableFuture#orTimeout}. Dependent actions run on the callback executor (or the
   * calling thread, if complete), so a listener must not wait for it: it would wait for itself.
   * {@link SyncListener#onInitialSync} reports the same moment.
   */
  public CompletableFuture<Void> awaitInitialSync() {
    if (initialSync.isDone() || node.peers().stream().noneMatch(p -> p.extensionVersion() >= 1)) {
      return CompletableFuture.completedFuture(null);
    }
    return initialSync.thenApply(peer -> null);
  }

  /**
   * A round with {@code peer} ended with its entries applied; on the callback executor. Given the
   * node: peers may sync before the constructor has set the fields.
   */
  private void initiallySynced(MeshExtension.Node node, String peer) {
    if (initialSync.complete(peer)) {
      for (SyncListener l : listeners) {
        node.callback(() -> l.onInitialSync(this, peer));
      }
    }
  }

  /** Adds a listener for update and delete events, and for the mesh events. */
  public void addListener(SyncListener listener) {
    listeners.add(Checks.notNull(listener, "listener"));
    mesh.addListener(listener);
  }

  /** Removes a listener added before; no effect otherwise. */
  public void removeListener(SyncListener listener) {
    listeners.remove(listener);
    mesh.removeListener(listener);
  }

  // ---------------------------------------------------------------- the mesh underneath

  /** This node's id, as {@link MeshSocket#id()}. */
  public String id() {
    return mesh.id();
  }

  /** The protocol, with the leasing digit in its subnet. */
  public Protocol protocol() {
    return mesh.protocol();
  }

  /** The port the listener is bound to. */
  public int port() {
    return mesh.port();
  }

  /** The address the listener is bound to. */
  public InetSocketAddress boundAddress() {
    return mesh.boundAddress();
  }

  /** The address advertised to peers. */
  public InetSocketAddress outAddress() {
    return mesh.outAddress();
  }

  /** As {@link MeshSocket#connect}. */
  public CompletableFuture<PeerInfo> connect(String host, int port) {
    return mesh.connect(host, port);
  }

  /** As {@link MeshSocket#disconnect}. */
  public void disconnect(String peerId) {
    mesh.disconnect(peerId);
  }

  /** As {@link MeshSocket#routingTable()}. */
  public Map<String, PeerInfo> routingTable() {
    return mesh.routingTable();
  }

  /** As {@link MeshSocket#send(List)}: a broadcast to the alert network. */
  public void send(List<?> packets) {
    mesh.send(packets);
  }

  /** As {@link MeshSocket#send(Object...)}. */
  public void send(Object... packets) {
    mesh.send(packets);
  }

  /** As {@link MeshSocket#recv()}. */
  public Optional<Message> recv() {
    return mesh.recv();
  }

  /** As {@link MeshSocket#recv(Duration)}. */
  public Optional<Message> recv(Duration timeout) throws InterruptedException {
    return mesh.recv(timeout);
  }

  /** As {@link MeshSocket#registerHandler}: runs after the dictionary's own handling. */
  public void registerHandler(MessageHandler handler) {
    mesh.registerHandler(handler);
  }

  /** Adds a listener for the mesh events only. */
  public void addListener(MeshListener listener) {
    mesh.addListener(listener);
  }

  /** Removes a mesh listener added before. */
  public void removeListener(MeshListener listener) {
    mesh.removeListener(listener);
  }

  /** As {@link MeshSocket#status()}: also lists refused and malformed remote writes. */
  public Object status() {
    return mesh.status();
  }

  /** As {@link MeshSocket#statusErrors()}. */
  public List<String> statusErrors() {
    return mesh.statusErrors();
  }

  /** True after {@link #close()}. */
  public boolean isClosed() {
    return mesh.isClosed();
  }

  /**
   * Closes the mesh underneath (writes still waiting fail with IllegalStateException) and, on a
   * durable node, saves what is pending and releases its data directory. Idempotent.
   */
  @Override
  public void close() {
    WriteSigner ws = signer;
    if (ws != null) {
      ws.close(); // signs and sends what waits; its last steps run before the ones below
    }
    DurableNode d = durable;
    if (d != null && !mesh.isClosed()) {
      try {
        node.submit(() -> {
          d.remember(node.peers(), node.nowMillis(), true);
          return null;
        }).join();
      } catch (RuntimeException e) {
        // closed meanwhile: what was saved last stays
      }
    }
    mesh.close();
    if (signing != null) {
      signing.close();
    }
    if (d != null) {
      synchronized (d) {
        d.close();
      }
    }
  }

  /** Changes applied but not yet saved to the data directory; 0 without one. */
  int durableBacklog() {
    return journal == null ? 0 : journal.backlog();
  }

  /** Syncs of the data directory's store to stable storage since start (tests); 0 without one. */
  long durableSyncs() {
    return journal == null ? 0 : journal.syncs();
  }

  /** The data directory this node keeps itself in, if it has one ({@link Builder#dataDirectory}). */
  public Optional<Path> dataDirectory() {
    return durable == null ? Optional.empty() : Optional.of(durable.data().path());
  }

  /** Remote writes refused by a lease since start (also listed in {@link #status()}). */
  long refusedRemoteWrites() {
    return store.refusedRemote.get();
  }

  /** Secure networks: remote writes and entries dropped as forged, tampered, unsigned or denied since start. */
  long forgedRemoteWrites() {
    return store.forgedRemote.get();
  }

  /** Secure networks: signed writes ignored as older than their writer's held write (replays) since start. */
  long staleRemoteWrites() {
    return store.staleRemote.get();
  }

  /** Secure leasing networks: early takeovers refused (docs/extension-v1.md §8.4) since start. */
  long earlyTakeovers() {
    return store.earlyTakeovers.get();
  }

  /** For tests: the node underneath, to send crafted messages as a misbehaving member would. */
  MeshExtension.Node node() {
    return node;
  }

  /** Remote writes dropped as malformed or as deltas on non-maps since start. */
  long droppedRemoteWrites() {
    return store.droppedRemote.get();
  }

  @Override
  public String toString() {
    return "SyncSocket{id=" + id() + ", port=" + port() + ", peers=" + routingTable().size() + "}";
  }

  private final class Effects implements Store.Effects {
    private final MeshExtension.Node node;

    Effects(MeshExtension.Node node) {
      this.node = node;
    }

    @Override
    public long nowMillis() {
      return node.nowMillis();
    }

    @Override
    public boolean hasPlainPeers() {
      return SyncExtension.hasPlainPeer(node);
    }

    @Override
    public void publish(@Nullable OutboundFrame ext, java.util.function.@Nullable Supplier<OutboundFrame> plain) {
      if (ext != null) {
        node.broadcast(ext, peer -> peer.extensionVersion() >= 1);
      }
      if (plain != null) {
        node.broadcast(plain.get(), peer -> peer.extensionVersion() == 0);
      }
    }

    @Override
    public void updated(Bytes key, Store.Entry state) {
      updated(key, null, state);
    }

    @Override
    public void updated(Bytes key, Store.@Nullable Entry previous, Store.Entry state) {
      Object value = state.value();
      if (!listeners.isEmpty()) {
        MetaTuple meta = state.meta();
        for (SyncListener l : listeners) {
          node.callback(() -> l.onUpdate(SyncSocket.this, key, value, meta));
        }
      }
      subscribers.updated(node, key, previous == null ? null : previous.value(), value);
    }

    @Override
    public void deleted(Bytes key, Store.Entry tombstone) {
      for (SyncListener l : listeners) {
        node.callback(() -> l.onDelete(SyncSocket.this, key));
      }
    }

    @Override
    public void deleted(Bytes key, Store.Entry previous, Store.Entry tombstone) {
      deleted(key, tombstone);
      Object old = previous.value();
      if (old != null) {
        subscribers.deleted(node, key, old);
      }
    }

    @Override
    public void dropped(String why) {
      node.reportError(why);
    }
  }
}
