package org.syncmesh.sync;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.MeshListener;
import org.syncmesh.mesh.MeshSocket;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.net.Link;
import org.syncmesh.wire.Checks;

/**
 * Micrometer meters of one {@link SyncSocket}: bind it to your registry with
 * {@code new SyncMetrics(socket).bindTo(registry)}. Every meter is named {@code syncmesh.*} and tagged
 * {@code node} (the node's short id); a link's meters are also tagged {@code peer} (the peer's short
 * id) and {@code dialect}. docs/metrics.md lists them all.
 *
 * <p>Promises: the meters read counters the node keeps anyway (function counters and gauges), so
 * binding adds no work to the write path, and an unbound node does none for metrics. A link's meters
 * are added when the peer connects and removed when it disconnects. Values are read live, each meter
 * on its own: two meters read at once need not be consistent with each other.
 *
 * <p>Micrometer (io.micrometer:micrometer-core) is an optional dependency of this library: only this
 * class uses it, so a node runs without it on the class or module path until this class is used.
 *
 * <p>Thread-safe: {@link #bindTo} may be called from any thread, once per registry; binding the
 * same socket to several registries is allowed.
 */
public final class SyncMetrics implements MeterBinder {

  // One description per name: Prometheus shows one HELP line for all of a name's tag values.
  private static final String WRITES = "writes installed, by origin: this node's own, or a peer's that changed a key";
  private static final String REFUSED = "remote writes refused, by reason: lease, clock, horizon, limit";
  private static final String DROPPED = "remote writes and sync messages dropped, by reason: forged, stale, busy, "
      + "malformed";
  private static final String LINK_BYTES = "bytes received (in) and queued to send (out) on the link, frame headers "
      + "included";
  private static final String LINK_DROPPED = "the peer's messages and entries this node did not take, by reason: "
      + "malformed, forged, busy, stale, lease, clock, horizon, limit";
  private static final String LINK_FRAMES = "frames received (in) and queued to send (out) on the link";

  private final SyncSocket socket;

  /**
   * Meters for {@code socket}, bound by {@link #bindTo}.
   *
   * @throws NullPointerException if {@code socket} is null
   */
  public SyncMetrics(SyncSocket socket) {
    Checks.notNull(socket, "socket");
    this.socket = socket;
  }

  /**
   * Registers the node's meters in {@code registry}, and its links' as they come and go (until the
   * socket closes).
   *
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Checks.notNull(registry, "registry");
    Store store = socket.store();
    MeshSocket mesh = socket.mesh();
    Extensions.Stats stats = Extensions.stats(mesh);
    Tags node = Tags.of("node", PeerInfo.shortId(socket.id()));

    Gauge.builder("syncmesh.keys", store, Store::size).tags(node).baseUnit("keys")
        .description("keys held with a value (tombstones not counted)").strongReference(true).register(registry);
    Gauge.builder("syncmesh.bytes.held", new HeldBytes(store), HeldBytes::read).tags(node).baseUnit(BaseUnits.BYTES)
        .description("keys and values held, as msgpack would take them (tombstones count their key); "
            + "measured at most every 10 s").strongReference(true).register(registry);
    Gauge.builder("syncmesh.tombstones", store, Store::tombstones).tags(node).baseUnit("tombstones")
        .description("deleted keys remembered until their grace period ends").strongReference(true).register(registry);

    counter(registry, "syncmesh.writes", node.and("origin", "local"), store, s -> s.localWrites.sum(),
        WRITES);
    counter(registry, "syncmesh.writes", node.and("origin", "remote"), store, s -> s.remoteWrites.sum(),
        WRITES);

    counter(registry, "syncmesh.writes.refused", node.and("reason", "lease"), store, s -> s.refusedLease.get(),
        REFUSED);
    counter(registry, "syncmesh.writes.refused", node.and("reason", "clock"), store, s -> s.refusedClock.get(),
        REFUSED);
    counter(registry, "syncmesh.writes.refused", node.and("reason", "horizon"), store, s -> s.refusedHorizon.get(),
        REFUSED);
    counter(registry, "syncmesh.writes.refused", node.and("reason", "limit"), store, s -> s.refusedLimit.get(),
        REFUSED);

    counter(registry, "syncmesh.writes.dropped", node.and("reason", "forged"), store, s -> s.forgedRemote.get(),
        DROPPED);
    counter(registry, "syncmesh.writes.dropped", node.and("reason", "stale"), store, s -> s.staleRemote.get(),
        DROPPED);
    counter(registry, "syncmesh.writes.dropped", node.and("reason", "busy"), store, s -> s.busyRemote.get(),
        DROPPED);
    counter(registry, "syncmesh.writes.dropped", node.and("reason", "malformed"), store,
        s -> Math.max(0, s.droppedRemote.get() - s.forgedRemote.get() - s.busyRemote.get()),
        DROPPED);
    counter(registry, "syncmesh.takeovers.early", node, store, s -> s.earlyTakeovers.get(),
        "secure leasing networks: early takeovers refused, the owner's lease being live at their claim");

    counter(registry, "syncmesh.events.delivered", node, stats, Extensions.Stats::callbacksRun,
        "listener events and handler calls run on the callback executor");
    Gauge.builder("syncmesh.events.queued", stats, Extensions.Stats::callbacksQueued).tags(node).baseUnit("events")
        .description("listener events and handler calls waiting for the callback executor")
        .strongReference(true).register(registry);
    counter(registry, "syncmesh.messages.dropped", node, stats, Extensions.Stats::recvDropped,
        "received messages dropped, oldest first, because recv()'s queue was full");
    Gauge.builder("syncmesh.peers", stats, s -> s.links().size()).tags(node).baseUnit("peers")
        .description("peers connected and routed").strongReference(true).register(registry);
    String frames = "frames sent for broadcasts, by kind (docs/extension-v2.md, -v3.md): flood, eager, announcement, "
        + "graft, graft_answer, prune, orphaned";
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "flood"), mesh,
        m -> m.broadcastStats().floodSends(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "eager"), mesh,
        m -> m.broadcastStats().eagerPushes(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "announcement"), mesh,
        m -> m.broadcastStats().announcementFrames(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "graft"), mesh,
        m -> m.broadcastStats().graftsSent(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "graft_answer"), mesh,
        m -> m.broadcastStats().graftAnswers(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "prune"), mesh,
        m -> m.broadcastStats().prunesSent(), frames);
    counter(registry, "syncmesh.broadcast.frames", node.and("kind", "orphaned"), mesh,
        m -> m.broadcastStats().orphanNoticesSent(), frames);

    org.syncmesh.net.Failures failures = stats.failures();
    for (String reason : org.syncmesh.net.Failures.CONNECT) {
      counter(registry, "syncmesh.connect.failures", node.and("reason", reason), failures,
          f -> f.connectFailures(reason), "dials of this node that failed");
    }
    for (String reason : org.syncmesh.net.Failures.HANDSHAKE) {
      counter(registry, "syncmesh.handshake.failures", node.and("reason", reason), failures,
          f -> f.handshakeFailures(reason), "links dropped before or at their handshake");
    }

    LinkMeters links = new LinkMeters(registry, node, stats, store.linkDrops, socket.antiEntropy());
    mesh.addListener(links);
    links.reconcile(); // the peers connected before the listener was added
  }

  /** {@code f} of the peer's anti-entropy session; NaN if it has none (a js2p or py2p peer). */
  private static double session(AntiEntropy ae, String peerId, ToDoubleFunction<AntiEntropy.PeerSession> f) {
    AntiEntropy.PeerSession s = ae.peers().get(peerId);
    return s == null ? Double.NaN : f.applyAsDouble(s);
  }

  /** The dictionary's size in bytes, walked at most every 10 s: a walk reads every key and value. */
  private static final class HeldBytes {
    private static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final Store store;
    private long measuredAt;
    private double bytes = Double.NaN;

    HeldBytes(Store store) {
      this.store = store;
    }

    synchronized double read() {
      long now = System.nanoTime();
      if (Double.isNaN(bytes) || now - measuredAt >= EVERY_NANOS) {
        long sum = 0;
        for (Map.Entry<Bytes, Store.Entry> e : store.entries()) {
          sum += e.getKey().size() + 5L + (e.getValue().deleted() ? 0 : SizeEstimate.held(e.getValue().value()));
        }
        bytes = sum;
        measuredAt = now;
      }
      return bytes;
    }
  }

  private static <T> void counter(MeterRegistry registry, String name, Tags tags, T source, ToDoubleFunction<T> f,
      String description) {
    FunctionCounter.builder(name, source, f).tags(tags).description(description).register(registry);
  }

  /**
   * The meters of each routed link, kept in step with the routing table: on each connect or
   * disconnect (the callback thread), the links' meters are added and removed to match it.
   */
  private static final class LinkMeters implements MeshListener {
    private final MeterRegistry registry;
    private final Tags node;
    private final Extensions.Stats stats;
    private final LinkDrops drops;
    private final AntiEntropy antiEntropy;
    /** Per peer id: the link metered and its meters. Guarded by this. */
    private final Map<String, Map.Entry<Link, List<Meter>>> metered = new HashMap<>();

    LinkMeters(MeterRegistry registry, Tags node, Extensions.Stats stats, LinkDrops drops, AntiEntropy antiEntropy) {
      this.registry = registry;
      this.node = node;
      this.stats = stats;
      this.drops = drops;
      this.antiEntropy = antiEntropy;
    }

    @Override
    public void onPeerConnected(MeshSocket socket, PeerInfo peer) {
      reconcile();
    }

    @Override
    public void onDisconnect(MeshSocket socket, PeerInfo peer) {
      reconcile();
    }

    synchronized void reconcile() {
      Map<String, Link> now = new HashMap<>();
      Map<String, PeerInfo> infos = new HashMap<>();
      for (Map.Entry<PeerInfo, Link> e : stats.links().entrySet()) {
        now.put(e.getKey().id(), e.getValue());
        infos.put(e.getKey().id(), e.getKey());
      }
      metered.entrySet().removeIf(e -> {
        if (now.get(e.getKey()) == e.getValue().getKey()) {
          return false;
        }
        e.getValue().getValue().forEach(registry::remove);
        return true;
      });
      for (Map.Entry<String, Link> e : now.entrySet()) {
        if (!metered.containsKey(e.getKey())) {
          metered.put(e.getKey(), Map.entry(e.getValue(), register(infos.get(e.getKey()), e.getValue())));
        }
      }
    }

    private List<Meter> register(PeerInfo peer, Link link) {
      Tags tags = node.and(Tag.of("peer", peer.shortId()), Tag.of("dialect", peer.dialect().name().toLowerCase(java.util.Locale.ROOT)));
      List<Meter> meters = new ArrayList<>();
      meters.add(FunctionCounter.builder("syncmesh.link.bytes", link, Link::bytesIn).tags(tags).tag("direction", "in")
          .baseUnit(BaseUnits.BYTES).description(LINK_BYTES).register(registry));
      meters.add(FunctionCounter.builder("syncmesh.link.bytes", link, Link::bytesOut).tags(tags).tag("direction", "out")
          .baseUnit(BaseUnits.BYTES).description(LINK_BYTES)
          .register(registry));
      meters.add(FunctionCounter.builder("syncmesh.link.frames", link, Link::framesIn).tags(tags).tag("direction", "in")
          .baseUnit("frames").description(LINK_FRAMES).register(registry));
      meters.add(FunctionCounter.builder("syncmesh.link.frames", link, Link::framesOut).tags(tags)
          .tag("direction", "out").baseUnit("frames").description(LINK_FRAMES)
          .register(registry));
      meters.add(Gauge.builder("syncmesh.link.queued", link, Link::pendingOutboundBytes).tags(tags)
          .baseUnit(BaseUnits.BYTES).description("bytes queued for the peer that the socket has not yet accepted")
          .register(registry));
      String id = peer.id();
      for (LinkDrops.Reason reason : LinkDrops.Reason.values()) {
        meters.add(FunctionCounter.builder("syncmesh.link.dropped", drops, d -> d.count(id, reason)).tags(tags)
            .tag("reason", reason.tag()).description(LINK_DROPPED).register(registry));
      }
      meters.add(TimeGauge.builder("syncmesh.link.antientropy.round", antiEntropy, TimeUnit.MILLISECONDS,
              ae -> session(ae, id, s -> s.lastRoundDurationMillis < 0 ? Double.NaN : s.lastRoundDurationMillis))
          .tags(tags).description("how long the last anti-entropy round this node started with the peer took "
              + "(NaN on the peer that does not start rounds, and before the first)").register(registry));
      meters.add(TimeGauge.builder("syncmesh.link.insync.time", antiEntropy, TimeUnit.MILLISECONDS,
              ae -> session(ae, id, s -> s.lastInSyncMillis == 0 ? Double.NaN : s.lastInSyncMillis))
          .tags(tags).description("when an anti-entropy round last found both dictionaries identical, as Unix time "
              + "(NaN if none has since the link came up)").register(registry));
      return meters;
    }
  }
}
