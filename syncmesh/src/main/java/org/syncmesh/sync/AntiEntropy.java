package org.syncmesh.sync;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.wire.WireFormatException;

/**
 * Anti-entropy between two syncmesh peers (docs/extension-v1.md §5): on every new link and every
 * {@link StoreLimits#antiEntropyInterval}, the peer with the smaller id starts a round; the two
 * descend their {@link DigestTree}s level by level, only into subtrees whose digests differ, then
 * swap rows (key hash, digest, version) of the buckets that differ and send each other exactly the
 * entries the other lacks or holds older. d differences among n keys cost about d·log16(n)
 * digests plus the rows of d buckets, not n. A side that holds nothing asks for everything at once
 * ({@code send-all}), as an initial sync would, and from one peer at a time ({@link #copyFrom}).
 * While writes flow, digests differ by what is in flight: a node starts a periodic round only
 * after a quiet interval, and answers one only then too (both sides at most
 * {@link #MAX_ROUND_GAP_MILLIS} apart), and a round sends only entries a side held when it joined
 * the round ({@link PeerSession#roundCutHlc}), so that a bulk load is not sent a second time.
 *
 * <p>When two peers meet again, each first sends the other every entry whose version is above
 * its clock at the last round that found them in sync: after a partition these are, as a rule,
 * exactly the differences, at the cost of their own bytes. The next round (one interval later)
 * finds anything this missed, such as an old write that reached one side late.
 *
 * <p>Every message is self-contained (no per-round state but the initiator's round number), so a
 * lost link or a peer that leaves mid-round costs nothing; the next round starts over. Entries
 * are streamed paced by the link ({@link MeshExtension.Node#whisperAll}) and applied as steps of
 * the node's single writer. Confined to the protocol thread, except {@link #peers()}.
 */
final class AntiEntropy {

  /** Rows per rows message: 2,048 rows are 56 KiB. */
  static final int ROWS_PER_MESSAGE = 2048;
  /**
   * How long a round's walk of the store's keys ({@link BucketKeys}) is kept once a round with the
   * peer ends: rounds end every interval, so a walk is let go within one after it is this old.
   */
  private static final long KEYS_KEPT_MILLIS = 1_000;
  /** Estimated bytes of entries per entries message. */
  static final int ENTRY_BYTES_PER_MESSAGE = 64 * 1024;
  /**
   * What this node knows of one peer's anti-entropy. Written on the protocol thread only; the
   * volatile fields are read from any thread.
   */
  static final class PeerSession {
    volatile boolean inSync;
    volatile long lastRoundMillis;
    /** When a round last found the two in sync (the node's clock); 0: never since the link came up. */
    volatile long lastInSyncMillis;
    /** How long the last round this node started with the peer took, to the peer's done; -1: none yet. */
    volatile long lastRoundDurationMillis = -1;
    /** The last round this node started with the peer; 0: none, -1: changes sent, a round due one interval later. */
    long round;
    /** When that round started, on the monotonic clock. */
    long roundStartedMillis;
    /** This node's clock before it computed that round's digests. */
    long roundStartHlc;
    /**
     * This node's clock when it joined the round under way with the peer (started it, or answered
     * its first tree); 0: none. Answering the peer's rows, it sends only entries at or below it: a
     * later write was broadcast after the round began, so it is on its way, and waits for the next round.
     */
    long roundCutHlc;
    /** This node's clock less the peer's, as the peer's last message gave it, and when (the node's clock). */
    long clockOffsetMillis;
    long lastMeasureMillis;
    /** Rounds the peer started in the second that began at {@code secondStart} (monotonic). */
    int roundsThisSecond;
    long secondStart;
    /** When the link came up (monotonic), and whether a round has found the two in sync since: the initial sync. */
    long linkedMillis;
    volatile boolean initialSyncDone;
    /** Entries received from the peer since the link came up (protocol thread), for the initial sync's log line. */
    volatile long entriesReceived;
    /** When the current round began (monotonic), and the entries received and sent in it: its log line. */
    long roundBeganMillis;
    long roundReceived;
    final java.util.concurrent.atomic.AtomicLong roundSent = new java.util.concurrent.atomic.AtomicLong();
    /** The store's keys by bucket for the rows of one round, walked at its first rows; null: none. */
    volatile @Nullable RoundKeys keys;
    /** The entries the peer held when it last started a round with this node; -1: not known. */
    volatile long peerEntries = -1;
    /** When this node last answered a round the peer started (monotonic); 0: never since the link came up. */
    long lastAnsweredMillis;
  }

  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);

  /** The longest a node waits for a quiet interval before it starts a round anyway. */
  static final long MAX_ROUND_GAP_MILLIS = 30_000;

  /** A whole copy that brings nothing for this long no longer holds up rounds with other peers. */
  static final long COPY_STALL_MILLIS = 10_000;

  /** Peers remembered with the clock of their last in-sync round. */
  static final int MAX_REMEMBERED_PEERS = 1024;

  private final MeshExtension.Node node;
  private final Store store;
  private final StoreLimits limits;
  private final Map<String, PeerSession> peers = new ConcurrentHashMap<>();
  private long nextRound = 1;
  /** The peer too far behind this node's clock last reported in the status, or null. */
  private @Nullable String driftReported;
  /**
   * The peer sending this node its whole store, while that lasts (asked for when this node held
   * nothing); null: none. Until its done, or {@link #COPY_STALL_MILLIS} without an entry from it,
   * this node starts no new round and answers new ones with done alone: a node that links to
   * several peers at once would otherwise be sent the store by each of them.
   */
  private @Nullable String copyFrom;
  /** When the copy began or last brought entries (monotonic ms). */
  private long copyProgressMillis;
  /** This node's clock when the last round with each peer found them in sync; protocol thread. */
  private final Map<String, Long> syncedAt = new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_REMEMBERED_PEERS;
    }
  };

  /**
   * Secure networks: signs this node's pending writes at once, as one batch (§8.3), for a round
   * that meets them before the signer does; null in an open network.
   */
  private java.util.function.@Nullable Function<List<SignedWrites.KeyedWrite>, List<SignedWrites.KeyedWrite>> signNow;

  /** Gives the signing of pending writes a round meets; before the node accepts peers. */
  void signPendingWith(java.util.function.Function<List<SignedWrites.KeyedWrite>, List<SignedWrites.KeyedWrite>> sign) {
    this.signNow = sign;
  }

  /** Told each time a round with a peer leaves this node holding what that peer sent it (see {@link #whenSynced}). */
  private java.util.function.Consumer<String> synced = peer -> {};

  AntiEntropy(MeshExtension.Node node, Store store, StoreLimits limits) {
    this.node = node;
    this.store = store;
    this.limits = limits;
  }

  /**
   * Calls {@code synced} with a peer's id, on the protocol thread, whenever a round with that peer
   * ends with nothing more coming from it: its done arrived (after every entry it sent in the
   * round, on the same link), the digests were equal, or it holds nothing. Entries it sent are
   * applied by steps given before the call. For a joiner's "initial sync has finished".
   */
  void whenSynced(java.util.function.Consumer<String> synced) {
    this.synced = synced;
  }

  /** Each linked syncmesh peer's state; any thread. */
  Map<String, PeerSession> peers() {
    return peers;
  }

  /** A syncmesh peer linked: the smaller id starts a round at once. */
  void linked(PeerInfo peer) {
    Long since = syncedAt.get(peer.id());
    PeerSession session = new PeerSession();
    session.linkedMillis = monotonicMillis();
    peers.put(peer.id(), session);
    if (since == null) {
      if (initiates(peer)) {
        start(peer);
      }
      return;
    }
    // Met before: send what changed here since, and let the next tick's round check the rest.
    session.round = -1;
    session.roundStartedMillis = monotonicMillis();
    send(peer, new EntryStream(peer, keysChangedAfter(since), 0));
  }

  private Iterator<Bytes> keysChangedAfter(long hlc) {
    Iterator<Map.Entry<Bytes, Store.Entry>> all = store.entries().iterator();
    return new Iterator<>() {
      private @Nullable Bytes next;

      @Override
      public boolean hasNext() {
        while (next == null && all.hasNext()) {
          Map.Entry<Bytes, Store.Entry> e = all.next();
          if (store.maxHlc(e.getKey(), e.getValue()) > hlc) { // its history's records count (§8.4)
            next = e.getKey();
          }
        }
        return next != null;
      }

      @Override
      public Bytes next() {
        if (!hasNext()) {
          throw new NoSuchElementException("no more changed keys");
        }
        Bytes key = next;
        next = null;
        return key;
      }
    };
  }

  /** Every interval: forget peers that left, start a round with each peer this node leads. */
  void tick() {
    Map<String, PeerInfo> linked = new HashMap<>();
    for (PeerInfo p : node.peers()) {
      if (p.extensionVersion() >= 1) {
        linked.put(p.id(), p);
      }
    }
    peers.keySet().retainAll(linked.keySet());
    long elapsed = monotonicMillis();
    long interval = limits.antiEntropyInterval().toMillis();
    // While writes flow, digests differ by what is in flight, and a round would send it all again:
    // wait for a quiet interval, but no longer than MAX_ROUND_GAP_MILLIS.
    boolean busy = busy(elapsed);
    for (PeerInfo p : linked.values()) {
      PeerSession s = session(p.id());
      long since = elapsed - s.roundStartedMillis;
      if (initiates(p) && (s.round == 0 || since >= interval && (!busy || since >= MAX_ROUND_GAP_MILLIS))) {
        start(p);
      }
    }
    publishClockOffsets(node.nowMillis());
  }

  /** Whether this node's store changed within the last interval: writes are flowing. */
  private boolean busy(long elapsedMillis) {
    return elapsedMillis - store.lastChangeNanos() / 1_000_000 < limits.antiEntropyInterval().toMillis();
  }

  /** Real elapsed time for pacing rounds: the node's clock may be set, or stand still in tests. */
  private static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }

  private boolean initiates(PeerInfo peer) {
    return node.id().compareTo(peer.id()) < 0;
  }

  void start(PeerInfo peer) {
    if (copying()) {
      return; // the next tick tries again
    }
    if (entriesHeld() == 0) {
      copyBegins(peer.id()); // holding nothing, the round asks the peer for everything it has
    }
    long round = nextRound++;
    PeerSession s = session(peer.id());
    s.round = round;
    s.roundStartedMillis = monotonicMillis();
    roundBegins(s);
    s.roundStartHlc = store.clock().last(); // before the digests: everything they cover is at or below it
    s.roundCutHlc = s.roundStartHlc;
    send(peer, List.of(ExtMessages.tree(new ExtMessages.Tree(round, 0, store.horizonMillis(), entriesHeld(),
        node.nowMillis(), new int[] {0}, children(0, new int[] {0})))).iterator());
  }

  /** Takes an anti-entropy message from {@code from}. */
  void onMessage(PeerInfo from, List<@Nullable Object> payload) {
    Object m;
    try {
      m = ExtMessages.readSync(payload, store.ids());
    } catch (WireFormatException | IllegalArgumentException e) {
      store.droppedRemote.incrementAndGet();
      store.linkDrops.drop(from.id(), LinkDrops.Reason.MALFORMED);
      node.reportError("dropped anti-entropy message from " + from.id() + ": " + e.getMessage());
      return;
    }
    if (m instanceof ExtMessages.Tree t) {
      onTree(from, t);
    } else if (m instanceof ExtMessages.Rows r) {
      onRows(from, r);
    } else if (m instanceof ExtMessages.Entries e) {
      List<ExtMessages.KeyState> all = e.entries();
      entriesArrived(from.id(), all.size());
      node.serially(store.linkDrops.attributed(store, from.id(), () -> {
        for (ExtMessages.KeyState ks : all) {
          store.applyRemote(ks.key(), ks.entry(), from.id(), "anti-entropy entry");
        }
      }));
    } else if (m instanceof ExtMessages.Done d) {
      if (from.id().equals(copyFrom)) {
        copyFrom = null;
      }
      measured(from.id(), d.now());
      PeerSession s = session(from.id());
      if (s.round == d.round()) {
        s.lastRoundDurationMillis = monotonicMillis() - s.roundStartedMillis;
        if (d.inSync()) {
          syncedAt.put(from.id(), s.roundStartHlc);
        }
      }
      finish(from.id(), d.inSync());
      synced.accept(from.id());
    } else if (m instanceof ExtMessages.SendAll s) {
      send(from, concat(new EntryStream(from, allKeys(), s.horizon()), ExtMessages.done(s.round(), false, node.nowMillis())));
      finish(from.id(), false);
      synced.accept(from.id()); // the peer holds nothing
    }
  }

  /** Records the peer's clock as its message gave it. */
  private void measured(String peer, long theirNow) {
    long now = node.nowMillis();
    PeerSession s = session(peer);
    s.clockOffsetMillis = now - theirNow;
    s.lastMeasureMillis = now;
    publishClockOffsets(now);
  }

  private void onTree(PeerInfo from, ExtMessages.Tree t) {
    long now = node.nowMillis();
    long hlc = store.clock().last(); // before comparing: everything the digests cover is at or below it
    PeerSession s = session(from.id());
    s.clockOffsetMillis = now - t.now();
    s.lastMeasureMillis = now;
    if (t.level() == 0) {
      long elapsed = monotonicMillis();
      if (elapsed - s.secondStart >= 1000) {
        s.roundsThisSecond = 0;
        s.secondStart = elapsed;
      }
      if (++s.roundsThisSecond > limits.maxRoundsPerSecond()) {
        node.reportError("ignored an anti-entropy round from " + from.id() + ": more than "
            + limits.maxRoundsPerSecond() + " rounds in one second");
        return;
      }
    }
    publishClockOffsets(now);
    if (t.level() == 0) {
      s.peerEntries = t.count();
      roundBegins(s);
      if (copying()) {
        send(from, List.<List<?>>of(ExtMessages.done(t.round(), false, now)).iterator()); // a later round
        return;
      }
      long mine = entriesHeld();
      if (mine == 0 && t.count() > 0) {
        copyBegins(from.id());
        // The done ends the initiator's round and gives it this node's clock: nothing else goes
        // back to it, so without it the initiator would never measure a peer that holds nothing.
        send(from, List.<List<?>>of(ExtMessages.sendAll(t.round(), store.horizonMillis()),
            ExtMessages.done(t.round(), false, now)).iterator());
        return;
      }
      if (t.count() == 0 && mine > 0) {
        send(from, concat(new EntryStream(from, allKeys(), t.horizon()), ExtMessages.done(t.round(), false, now)));
        finish(from.id(), false);
        synced.accept(from.id()); // the peer holds nothing
        return;
      }
      long elapsed = monotonicMillis();
      boolean answeredLately = s.lastAnsweredMillis != 0 && elapsed - s.lastAnsweredMillis < MAX_ROUND_GAP_MILLIS;
      if (mine > 0 && busy(elapsed) && answeredLately) {
        // Writes are arriving here, so the digests differ by what is on its way: a peer that is
        // quiet (it has all of a bulk load that this node is still receiving) would send it again.
        // The peer tries again one interval later; a round waits no longer than MAX_ROUND_GAP_MILLIS.
        send(from, List.<List<?>>of(ExtMessages.done(t.round(), false, now)).iterator());
        return;
      }
      s.lastAnsweredMillis = elapsed;
      s.roundCutHlc = hlc;
    }
    int childLevel = t.level() + 1;
    List<Integer> differing = new ArrayList<>();
    for (int i = 0; i < t.parents().length; i++) {
      for (int c = 0; c < DigestTree.FAN_OUT; c++) {
        int child = t.parents()[i] * DigestTree.FAN_OUT + c;
        if (store.tree().digest(childLevel, child) != t.digests()[i * DigestTree.FAN_OUT + c]) {
          differing.add(child);
        }
      }
    }
    if (differing.isEmpty()) {
      boolean inSync = t.level() == 0;
      if (inSync) {
        syncedAt.put(from.id(), hlc);
      }
      finish(from.id(), inSync);
      send(from, List.of(ExtMessages.done(t.round(), inSync, now)).iterator());
      if (inSync) {
        synced.accept(from.id());
      }
    } else if (childLevel == DigestTree.LEVELS) {
      send(from, rowsMessages(from.id(), t.round(), true, toArray(differing)));
    } else {
      int[] parents = toArray(differing);
      send(from, List.of(ExtMessages.tree(new ExtMessages.Tree(t.round(), childLevel, store.horizonMillis(),
          entriesHeld(), now, parents, children(childLevel, parents)))).iterator());
    }
  }

  private void onRows(PeerInfo from, ExtMessages.Rows r) {
    Map<Long, Long> theirDigest = new HashMap<>();
    Map<Long, long[]> theirOrder = new HashMap<>();
    ByteBuffer rows = ByteBuffer.wrap(r.rows());
    while (rows.hasRemaining()) {
      long kh = rows.getLong();
      long digest = rows.getLong();
      long hlc = rows.getLong();
      int epochAndFlags = rows.getInt();
      theirDigest.put(kh, digest);
      theirOrder.put(kh, new long[] {hlc, epochAndFlags});
    }
    List<Bytes> toSend = new ArrayList<>();
    List<Map.Entry<Bytes, Store.Entry>> forgotten = new ArrayList<>();
    long cut = session(from.id()).roundCutHlc;
    BitSet buckets = bitSet(r.buckets());
    if (!buckets.isEmpty()) { // a message naming no bucket costs no walk
      BucketKeys keys = keysByBucket(from.id(), r.round());
      for (int b = buckets.nextSetBit(0); b >= 0; b = buckets.nextSetBit(b + 1)) {
        keys.forEach(b, key -> {
          Store.Entry mine = store.entry(key);
          if (mine == null) {
            return; // collected since the snapshot was made
          }
          if (cut != 0 && mine.version().hlc() > cut) {
            // Written after this node joined the round, so broadcast after it too: on its way to the
            // peer by the mesh. Under a bulk load a round's messages wait behind it for seconds, and
            // the peer's rows lack everything written meanwhile. The next round sends what is missing then.
            return;
          }
          long kh = DigestTree.keyHash(key);
          Long theirs = theirDigest.get(kh);
          if (theirs == null) {
            if (Hlc.millis(mine.version().hlc()) > r.horizon()) {
              toSend.add(key);
            } else if (!mine.deleted()) {
              forgotten.add(Map.entry(key, mine));
            }
          } else if (theirs != store.keyDigest(key, kh, mine) && mayBeNewer(mine, theirOrder.get(kh))) {
            toSend.add(key);
          }
        });
      }
    }
    if (!forgotten.isEmpty()) {
      long horizon = r.horizon();
      node.serially(() -> forgotten.forEach(f -> store.dropForgotten(f.getKey(), f.getValue(), from.id(), horizon)));
    }
    Iterator<List<?>> reply = r.reply() ? rowsMessages(from.id(), r.round(), false, r.buckets()) : emptyIterator();
    List<?> done = r.reply() ? null : ExtMessages.done(r.round(), false, node.nowMillis());
    send(from, concat(concat(reply, new EntryStream(from, toSend.iterator(), r.horizon())), done));
    if (!r.reply()) {
      finish(from.id(), false);
    }
  }

  /**
   * The store's keys by bucket for round {@code round} with {@code peer}: one walk of the store at
   * the round's first rows message, made or received, serves all its others (for a second at
   * least; a longer round walks again once it is let go).
   */
  private BucketKeys keysByBucket(String peer, long round) {
    PeerSession s = session(peer);
    RoundKeys k = s.keys;
    if (k == null || k.round() != round) {
      k = new RoundKeys(round, BucketKeys.of(store.entries()), monotonicMillis());
      s.keys = k;
    }
    return k.keys();
  }

  /** A walk of the store's keys by bucket for the rows of one round, and when it was made (monotonic). */
  record RoundKeys(long round, BucketKeys keys, long walkedMillis) {}

  private static BitSet bitSet(int[] buckets) {
    BitSet set = new BitSet(DigestTree.BUCKETS);
    for (int b : buckets) {
      set.set(b);
    }
    return set;
  }

  /** Whether this node's entry may be newer than the peer's row, so the peer should have it. */
  private boolean mayBeNewer(Store.Entry mine, long[] theirs) {
    boolean theirFields = (theirs[1] & 0x8000_0000L) != 0;
    int theirEpoch = (int) (theirs[1] & 0x7fff_ffffL);
    if (mine.fields() != null || theirFields || store.keepsHistory()) {
      return true; // field versions merge both ways; so do histories (§8.4), which rows do not show
    }
    if (store.leasing() && mine.epoch() != theirEpoch) {
      return mine.epoch() > theirEpoch;
    }
    if (store.leasing()) {
      return true; // one epoch: claims decide, and rows do not carry them
    }
    return mine.version().hlc() >= theirs[0];
  }

  private void finish(String peer, boolean inSync) {
    PeerSession s = session(peer);
    RoundKeys k = s.keys;
    if (k != null && monotonicMillis() - k.walkedMillis() > KEYS_KEPT_MILLIS) {
      s.keys = null; // not at once: a round's rows come in many messages, each of which may finish it here
    }
    s.inSync = inSync;
    s.lastRoundMillis = node.nowMillis();
    if (inSync) {
      s.lastInSyncMillis = s.lastRoundMillis;
    }
    if (inSync && !s.initialSyncDone && s.linkedMillis > 0) {
      s.initialSyncDone = true;
      log.info("initial sync with peer {} done: in sync after {} ms, {} entries received, {} keys held",
          PeerInfo.shortId(peer), monotonicMillis() - s.linkedMillis, s.entriesReceived, entriesHeld());
    } else if (s.roundReceived > 0 || s.roundSent.get() > 0) {
      log.info("anti-entropy round with peer {}: {} entries received, {} sent, {} after {} ms",
          PeerInfo.shortId(peer), s.roundReceived, s.roundSent.get(), inSync ? "in sync" : "changes sent",
          monotonicMillis() - s.roundBeganMillis);
    } else if (log.isDebugEnabled()) {
      log.debug("anti-entropy round with peer {}: {} after {} ms", PeerInfo.shortId(peer),
          inSync ? "in sync" : "nothing to exchange", monotonicMillis() - s.roundBeganMillis);
    }
  }

  /** Counts {@code n} entries received from {@code peer} (protocol thread): the initial sync's progress. */
  void entriesArrived(String peer, int n) {
    if (peer.equals(copyFrom)) {
      copyProgressMillis = monotonicMillis();
    }
    PeerSession s = session(peer);
    s.entriesReceived += n;
    s.roundReceived += n;
  }

  /** A round with {@code s} begins (started here, or by the peer): its counts start over. */
  private static void roundBegins(PeerSession s) {
    s.roundBeganMillis = monotonicMillis();
    s.roundReceived = 0;
    s.roundSent.set(0);
  }

  private void copyBegins(String peer) {
    copyFrom = peer;
    copyProgressMillis = monotonicMillis();
  }

  /**
   * Whether a peer is sending this node its whole store (still linked, and not stalled): a new
   * round with any peer, that one included, would only ask again for what is on its way.
   */
  private boolean copying() {
    if (copyFrom != null
        && (!peers.containsKey(copyFrom) || monotonicMillis() - copyProgressMillis > COPY_STALL_MILLIS)) {
      copyFrom = null;
    }
    return copyFrom != null;
  }

  private PeerSession session(String peer) {
    return peers.computeIfAbsent(peer, id -> new PeerSession());
  }

  /** Tells the clock how far ahead of its furthest-behind peer this node's clock is. */
  private void publishClockOffsets(long now) {
    long worst = 0;
    String who = null;
    for (Map.Entry<String, PeerSession> e : peers.entrySet()) {
      PeerSession s = e.getValue();
      if (s.lastMeasureMillis > 0 && now - s.lastMeasureMillis < 10 * limits.antiEntropyInterval().toMillis() + 60_000
          && s.clockOffsetMillis > worst) {
        worst = s.clockOffsetMillis;
        who = e.getKey();
      }
    }
    store.clock().peersBehind(worst, who);
    // Local writes now throw; the status says so too, once each time a peer comes to be too far behind.
    String over = worst > store.clock().maxDrift().toMillis() ? who : null;
    if (over != null && !over.equals(driftReported)) {
      node.reportError(ClockDriftException.localAhead(over, now, worst, store.clock().maxDrift()).getMessage());
    }
    driftReported = over;
  }

  // ---------------------------------------------------------------- building messages

  private long entriesHeld() {
    return (long) store.size() + store.tombstones();
  }

  /** This node's digests of the children of {@code parents} at {@code level}. */
  private long[] children(int level, int[] parents) {
    long[] digests = new long[parents.length * DigestTree.FAN_OUT];
    for (int i = 0; i < parents.length; i++) {
      for (int c = 0; c < DigestTree.FAN_OUT; c++) {
        digests[i * DigestTree.FAN_OUT + c] = store.tree().digest(level + 1, parents[i] * DigestTree.FAN_OUT + c);
      }
    }
    return digests;
  }

  /**
   * Rows messages for {@code buckets}, at most {@link #ROWS_PER_MESSAGE} rows each (a bucket is
   * never split), each made as the link takes it: a round that finds every bucket different holds
   * one message's rows at a time, not the whole store's.
   */
  private Iterator<List<?>> rowsMessages(String peer, long round, boolean reply, int[] buckets) {
    return new RowsStream(peer, round, reply, buckets);
  }

  private final class RowsStream implements Iterator<List<?>> {
    private final String peer;
    private final long round;
    private final boolean reply;
    private final int[] buckets;
    private final BitSet read = new BitSet(DigestTree.BUCKETS);
    private int at;
    /** A bucket read for the last message that would have made it too long: the next one's first. */
    private int carried = -1;
    private List<Row> carriedRows = List.of();

    RowsStream(String peer, long round, boolean reply, int[] buckets) {
      this.peer = peer;
      this.round = round;
      this.reply = reply;
      this.buckets = buckets;
    }

    @Override
    public boolean hasNext() {
      return carried >= 0 || skipRead();
    }

    /** Moves past buckets named twice; true if one is left. */
    private boolean skipRead() {
      while (at < buckets.length && read.get(buckets[at])) {
        at++;
      }
      return at < buckets.length;
    }

    @Override
    public List<?> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      List<Integer> chunkBuckets = new ArrayList<>();
      List<Row> chunkRows = new ArrayList<>();
      if (carried >= 0) {
        chunkBuckets.add(carried);
        chunkRows.addAll(carriedRows);
        carried = -1;
        carriedRows = List.of();
      }
      while (skipRead()) {
        int b = buckets[at++];
        read.set(b);
        List<Row> rows = rowsOf(keysByBucket(peer, round), b);
        if (!chunkBuckets.isEmpty() && chunkRows.size() + rows.size() > ROWS_PER_MESSAGE) {
          carried = b;
          carriedRows = rows;
          break;
        }
        chunkBuckets.add(b);
        chunkRows.addAll(rows);
      }
      return rowsMessage(round, reply, chunkBuckets, chunkRows);
    }
  }

  private List<Row> rowsOf(BucketKeys keys, int bucket) {
    List<Row> rows = new ArrayList<>();
    keys.forEach(bucket, key -> {
      Store.Entry e = store.entry(key);
      if (e != null) {
        long kh = DigestTree.keyHash(key);
        rows.add(new Row(kh, store.keyDigest(key, kh, e), e));
      }
    });
    return rows;
  }

  /** One key's row: its key hash, its digest (its history's records included, §8.4) and its visible state. */
  private record Row(long keyHash, long digest, Store.Entry entry) {}

  private List<?> rowsMessage(long round, boolean reply, List<Integer> buckets, List<Row> rows) {
    ByteBuffer bytes = ByteBuffer.allocate(rows.size() * ExtMessages.ROW_BYTES);
    for (Row r : rows) {
      ExtMessages.putRow(bytes, r.keyHash(), r.digest(), r.entry());
    }
    return ExtMessages.rows(new ExtMessages.Rows(round, reply, store.horizonMillis(), toArray(buckets), bytes.array()));
  }

  private Iterator<Bytes> allKeys() {
    Iterator<Map.Entry<Bytes, Store.Entry>> all = store.entries().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return all.hasNext();
      }

      @Override
      public Bytes next() {
        return all.next().getKey();
      }
    };
  }

  /**
   * Entries messages for {@code keys}, made as the link takes them, each entry read when its turn
   * comes; tombstones the peer has forgotten the like of (older than its horizon) are left out.
   */
  private final class EntryStream implements Iterator<List<?>> {
    private final PeerInfo peer;
    private final Iterator<Bytes> keys;
    private final long peerHorizon;
    private @Nullable List<?> next;

    /** This node's states in the chunk whose signature is still pending: signed as one batch at its end. */
    private final List<Map.Entry<Bytes, Store.Entry>> unsigned = new ArrayList<>();

    /**
     * Signs the pending states met in a chunk now, as one batch, and adds them to it, so that a
     * round never leaves out what this node has just written (a joiner's initial sync would miss
     * it); the signer's own signature for them, made later, is then sent as a copy and changes
     * nothing.
     */
    private void signPending(List<Object> chunk) {
      if (unsigned.isEmpty() || signNow == null) {
        return;
      }
      List<SignedWrites.KeyedWrite> writes = new ArrayList<>();
      for (Map.Entry<Bytes, Store.Entry> u : unsigned) {
        SignedWrites.Proof p = store.proof(u.getKey(), u.getValue());
        if (p != null) {
          for (SignedWrites.Write w : SignedWrites.pendingWrites(u.getValue(), p)) {
            writes.add(new SignedWrites.KeyedWrite(u.getKey(), w));
          }
        }
      }
      List<SignedWrites.KeyedWrite> signed = writes.isEmpty() ? List.of() : signNow.apply(writes);
      for (Map.Entry<Bytes, Store.Entry> u : unsigned) {
        SignedWrites.Proof p = store.proof(u.getKey(), u.getValue());
        if (p == null) {
          continue;
        }
        for (SignedWrites.KeyedWrite w : signed) {
          if (w.key().equals(u.getKey())) {
            p = SignedWrites.withSignature(p, w.write());
          }
        }
        if (!SignedWrites.pending(p)) {
          chunk.add(ExtMessages.entry(u.getKey(), u.getValue(), p));
        }
      }
      unsigned.clear();
      if (!signed.isEmpty()) {
        node.serially(() -> store.signaturesMade(signed));
      }
    }

    /**
     * Adds {@code key}'s records beside its visible state (§8.4), each as an entry of its own with
     * its proof, those newer than the peer's horizon and signed; returns their estimated size.
     */
    private long addOthers(List<Object> chunk, Bytes key) {
      long bytes = 0;
      for (History.Record r : store.others(key)) {
        Store.Entry s = r.state();
        if (r.proof() == null || SignedWrites.pending(r.proof()) || Hlc.millis(s.version().hlc()) <= peerHorizon) {
          continue; // this node's own write the signer has not reached yet goes with the signer's batch
        }
        chunk.add(ExtMessages.entry(key, s, r.proof()));
        bytes += SizeEstimate.of(key) + SizeEstimate.of(s.value()) + 100;
        if (r.proof() instanceof SignedWrites.Writes ws) {
          for (SignedWrites.Write w : ws.writes()) {
            bytes += SizeEstimate.of(w.value()) + 160;
          }
        }
      }
      return bytes;
    }

    EntryStream(PeerInfo peer, Iterator<Bytes> keys, long peerHorizon) {
      this.peer = peer;
      this.keys = keys;
      this.peerHorizon = peerHorizon;
    }

    @Override
    public boolean hasNext() {
      if (next == null && keys.hasNext()) {
        List<Object> chunk = new ArrayList<>();
        long bytes = 0;
        while (keys.hasNext() && bytes < ENTRY_BYTES_PER_MESSAGE) {
          Bytes key = keys.next();
          Store.Entry e = store.entry(key);
          if (e == null) {
            continue;
          }
          if (Hlc.millis(e.version().hlc()) <= peerHorizon) {
            // The peer has forgotten deletes this old: a tombstone it no longer needs, a value it may have deleted.
            if (!e.deleted()) {
              node.serially(() -> store.dropForgotten(key, e, peer.id(), peerHorizon));
            }
            continue;
          }
          if (store.keepsSignatures()) { // a secure network (§8): with its signature; unsigned ones would be refused
            bytes += addOthers(chunk, key);
            SignedWrites.Proof signed = store.proof(key, e);
            if (signed == null) {
              continue;
            }
            if (SignedWrites.pending(signed)) { // this node's own write the signer has not reached yet: signed below
              if (signNow != null) {
                unsigned.add(Map.entry(key, e));
                bytes += SizeEstimate.of(key) + SizeEstimate.of(e.value()) + 100;
              }
              continue;
            }
            chunk.add(ExtMessages.entry(key, e, signed));
            if (signed instanceof SignedWrites.Writes ws) {
              for (SignedWrites.Write w : ws.writes()) {
                bytes += SizeEstimate.of(w.value()) + 160;
              }
            }
          } else {
            chunk.add(ExtMessages.entry(key, e));
          }
          bytes += SizeEstimate.of(key) + SizeEstimate.of(e.value()) + 100;
        }
        signPending(chunk);
        if (!chunk.isEmpty()) {
          next = ExtMessages.entries(0, chunk);
          session(peer.id()).roundSent.addAndGet(chunk.size());
        }
      }
      return next != null;
    }

    @Override
    public List<?> next() {
      if (!hasNext()) {
        throw new NoSuchElementException("no more entries");
      }
      List<?> n = next;
      next = null;
      return n;
    }
  }

  private void send(PeerInfo peer, Iterator<? extends List<?>> payloads) {
    node.whisperAll(peer, payloads);
  }

  private static Iterator<List<?>> concat(Iterator<? extends List<?>> first, @Nullable List<?> last) {
    return concat(first, last == null ? emptyIterator() : List.<List<?>>of(last).iterator());
  }

  private static Iterator<List<?>> concat(Iterator<? extends List<?>> a, Iterator<? extends List<?>> b) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return a.hasNext() || b.hasNext();
      }

      @Override
      public List<?> next() {
        return a.hasNext() ? a.next() : b.next();
      }
    };
  }

  private static Iterator<List<?>> emptyIterator() {
    return java.util.Collections.emptyIterator();
  }

  private static int[] toArray(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }

  @Override
  public String toString() {
    return "anti-entropy of " + node.id() + " at " + Instant.ofEpochMilli(node.nowMillis());
  }
}
