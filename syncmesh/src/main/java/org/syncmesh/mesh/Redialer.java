package org.syncmesh.mesh;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address book and redialer (issue 11), on the protocol thread. It remembers the addresses
 * given to {@code connect()} ("seeds") and the advertised addresses of peers that registered,
 * with the id last seen at each. A seed whose attempt fails, and a registered peer whose link
 * drops for any reason but this node's own decision, are redialled with exponential backoff and
 * full jitter until the address answers, the peer is back by any link, the socket closes, or
 * the address has refused our protocol {@value #MAX_MISMATCHES} times.
 *
 * <p>Peers-list entries are not remembered until they handshake: they are unverified, and a
 * hostile peer could otherwise fill the book. Redials of non-seed addresses count against max
 * outgoing, as auto-connects from peers lists do (§7.6); seeds do not, as {@code connect()}
 * does not.
 */
final class Redialer {

  private static final Logger log = LoggerFactory.getLogger(Redialer.class);

  /** Protocol mismatches after which an address is forgotten: it will not change its mind. */
  static final int MAX_MISMATCHES = 3;
  /** Most addresses remembered; beyond it the oldest non-seed one is forgotten. */
  static final int MAX_ADDRESSES = 256;
  /**
   * Close reasons that are this node's own decision not to have the link (or the start of a
   * redial of its own): such a loss is not redialled.
   */
  private static final List<String> OWN_DECISIONS = List.of("disconnect requested", "duplicate connection",
      "connected to self", HandshakeHandler.ID_CONFLICT, HandshakeHandler.DENIED, HandshakeHandler.NOT_A_MEMBER, "protocol mismatch", "redialling with a bin protocol id");

  /** One remembered address. */
  private static final class Entry {
    final String host;
    final int port;
    /** Given to {@code connect()}: retried until it answers, not counted against max outgoing. */
    boolean seed;
    @Nullable String lastId;
    int failures;
    int mismatches;
    @Nullable ScheduledFuture<?> timer;
    boolean dialling;

    Entry(String host, int port) {
      this.host = host;
      this.port = port;
    }

    boolean waiting() {
      return timer != null || dialling;
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final MeshNode node;
  private final boolean enabled;
  private final long initialMillis;
  private final long maxMillis;
  private final SplittableRandom random = new SplittableRandom();
  private final Map<String, Entry> book = new LinkedHashMap<>();

  Redialer(MeshNode node, boolean enabled, long initialMillis, long maxMillis) {
    this.node = node;
    this.enabled = enabled;
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
  }

  // ---------------------------------------------------------------- backoff (pure)

  /** The longest wait before redial number {@code failures + 1}: initial doubled per failure, capped. */
  static long ceilingMillis(int failures, long initialMillis, long maxMillis) {
    if (failures >= 62 || initialMillis > (maxMillis >> Math.min(failures, 62))) {
      return maxMillis;
    }
    return Math.min(maxMillis, initialMillis << failures);
  }

  /** Full jitter: uniform in {@code [0, ceilingMillis]}. */
  static long delayMillis(int failures, long initialMillis, long maxMillis, RandomGenerator random) {
    long ceiling = ceilingMillis(failures, initialMillis, maxMillis);
    return ceiling == Long.MAX_VALUE ? random.nextLong(ceiling) : random.nextLong(ceiling + 1);
  }

  // ---------------------------------------------------------------- events

  /** A user's {@code connect(host, port)}: remembered as a seed; retried if {@code attempt} fails. */
  void seed(String host, int port, CompletableFuture<PeerInfo> attempt) {
    assert node.loop.inEventLoop();
    if (!enabled) {
      return;
    }
    Entry entry = entry(host, port);
    entry.seed = true;
    if (entry.timer != null) {
      entry.timer.cancel(false);
      entry.timer = null;
    }
    entry.dialling = true;
    attempt.whenComplete((info, error) -> node.onLoop(() -> attemptEnded(entry, error)));
  }

  /** A peer registered: its address and id are remembered, and redials of it stop. */
  void registered(Peer peer) {
    assert node.loop.inEventLoop();
    if (!enabled) {
      return;
    }
    for (Entry e : book.values()) {
      if (peer.id != null && peer.id.equals(e.lastId) || e.port == peer.port && e.host.equals(peer.host)) {
        back(e, peer.id);
      }
    }
    if (peer.outgoing()) {
      // The address we dialled (the link's remote end) may differ from the one it advertises.
      var remote = peer.link.remoteAddress();
      Entry dialled = book.get(key(remote.getHostString(), remote.getPort()));
      if (dialled != null) {
        back(dialled, peer.id);
      }
    }
    if (peer.hasAddress()) {
      back(entry(peer.host, peer.port), peer.id);
    }
  }

  /** A registered peer's link closed for {@code reason} (null: the peer closed it). */
  void lost(Peer peer, @Nullable String reason) {
    assert node.loop.inEventLoop();
    String why = reason == null ? "closed by the peer" : reason;
    if (!enabled || node.isClosed() || ownDecision(reason)) {
      log.debug("peer {}: not redialled at {}:{} ({})", peer.id == null ? "?" : PeerInfo.shortId(peer.id), peer.host,
          peer.port, why);
      return;
    }
    String host = peer.host;
    int port = peer.port;
    var dialled = peer.outgoing() ? peer.link.remoteAddress() : null;
    if (dialled != null && book.containsKey(key(dialled.getHostString(), dialled.getPort()))) {
      // Redial the address this node dialled (a seed, a proxy, a NAT's outside): it is the path that worked.
      host = dialled.getHostString();
      port = dialled.getPort();
    } else if (!peer.hasAddress()) {
      var remote = peer.link.remoteAddress();
      if (!peer.outgoing()) {
        log.info("peer {}: not redialled, it advertised no address ({})", PeerInfo.shortId(peer.id), why);
        return;
      }
      host = remote.getHostString();
      port = remote.getPort();
    }
    Entry entry = entry(host, port);
    entry.lastId = peer.id;
    if (!entry.seed && node.maxOutgoing == 0) {
      log.info("peer {}: not redialled at {}, max outgoing is 0 ({})", PeerInfo.shortId(peer.id), entry, why);
      return;
    }
    log.info("peer {}: redialling at {} ({})", PeerInfo.shortId(peer.id), entry, why);
    if (!entry.waiting()) {
      entry.failures = 0;
      schedule(entry);
    }
  }

  /** This node disconnected {@code peer} on purpose: forget its addresses so nothing redials it. */
  void forget(Peer peer) {
    assert node.loop.inEventLoop();
    var remote = peer.link.remoteAddress();
    for (Iterator<Entry> it = book.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      boolean dialled = peer.outgoing() && e.port == remote.getPort() && e.host.equals(remote.getHostString());
      if (dialled || e.port == peer.port && e.host.equals(peer.host) || peer.id != null && peer.id.equals(e.lastId)) {
        cancel(e);
        it.remove();
      }
    }
  }

  // ---------------------------------------------------------------- dialling

  private void schedule(Entry entry) {
    long delay = delayMillis(entry.failures, initialMillis, maxMillis, random);
    entry.failures = Math.min(entry.failures + 1, 62);
    entry.timer = node.loop.schedule(() -> fire(entry), delay, TimeUnit.MILLISECONDS);
  }

  private void fire(Entry entry) {
    entry.timer = null;
    if (node.isClosed() || book.get(key(entry.host, entry.port)) != entry) {
      return;
    }
    if (entry.lastId != null && node.routing.containsKey(entry.lastId)) {
      back(entry, entry.lastId);
      return;
    }
    if (!entry.seed && node.connections.outgoingCount() >= node.maxOutgoing) {
      log.debug("redial of {} waits: max outgoing ({}) reached", entry, node.maxOutgoing);
      schedule(entry);
      return;
    }
    log.debug("redialling {} (peer {}, attempt {})", entry, entry.lastId == null ? "?" : PeerInfo.shortId(entry.lastId),
        entry.failures);
    entry.dialling = true;
    CompletableFuture<PeerInfo> attempt = new CompletableFuture<>();
    attempt.whenComplete((info, error) -> node.onLoop(() -> attemptEnded(entry, error)));
    node.connections.open(entry.host, entry.port, attempt, !entry.seed);
  }

  private void attemptEnded(Entry entry, @Nullable Throwable error) {
    entry.dialling = false;
    if (error == null || node.isClosed() || book.get(key(entry.host, entry.port)) != entry) {
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = String.valueOf(cause.getMessage());
    if (message.contains("connected to self")) {
      log.debug("forgetting {}: it is this node", entry);
      book.remove(key(entry.host, entry.port));
      return;
    }
    if (message.contains(HandshakeHandler.ID_CONFLICT)) {
      log.info("forgetting {}: it is another node with this node's id", entry);
      book.remove(key(entry.host, entry.port));
      return;
    }
    if (message.contains("protocol mismatch") && ++entry.mismatches >= MAX_MISMATCHES) {
      log.info("forgetting {}: it refused our protocol {} times", entry, entry.mismatches);
      book.remove(key(entry.host, entry.port));
      return;
    }
    if (entry.lastId != null && node.routing.containsKey(entry.lastId)) {
      return; // back by another link meanwhile
    }
    log.debug("redial of {} failed: {}", entry, message);
    if (entry.timer == null) {
      schedule(entry);
    }
  }

  // ---------------------------------------------------------------- the book

  private void back(Entry entry, @Nullable String id) {
    cancel(entry);
    entry.failures = 0;
    entry.mismatches = 0;
    if (id != null) {
      entry.lastId = id;
    }
  }

  private static void cancel(Entry entry) {
    if (entry.timer != null) {
      entry.timer.cancel(false);
      entry.timer = null;
    }
  }

  private Entry entry(String host, int port) {
    Entry entry = book.computeIfAbsent(key(host, port), k -> new Entry(host, port));
    if (book.size() > MAX_ADDRESSES) {
      for (Iterator<Entry> it = book.values().iterator(); it.hasNext(); ) {
        Entry oldest = it.next();
        if (oldest != entry && !oldest.seed) {
          cancel(oldest);
          it.remove();
          break;
        }
      }
    }
    return entry;
  }

  private static String key(String host, int port) {
    return host + ":" + port;
  }

  private static boolean ownDecision(@Nullable String reason) {
    return reason != null && OWN_DECISIONS.stream().anyMatch(reason::startsWith);
  }
}
