package org.syncmesh.mesh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.Bytes;
import org.syncmesh.net.OutboundFrame;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.MessageShapeException;
import org.syncmesh.wire.TreeMessage;

/**
 * Plumtree-style broadcast trees (Leitão, Pereira, Rodrigues, <i>Epidemic Broadcast Trees</i>,
 * SRDS 2007) over the links that negotiated extension version 2 (docs/extension-v2.md); every
 * other link keeps the 0.7 flood. One per node, on its protocol thread.
 *
 * <p>One tree per <em>origin</em> (a broadcast's sender), as riak_core's and Partisan's Plumtree
 * keep one per root: for each origin, each version-2 link is <em>eager</em> (its broadcasts are
 * pushed) or <em>lazy</em> (only their ids are announced); links start eager for every origin. On
 * a broadcast's first receipt the node delivers it, pushes it on the links eager for its origin
 * and announces it on the others (never to the link it came from nor to its originator). A copy
 * arriving from a peer sends it a PRUNE for the origin, which makes the peer's side of the link
 * lazy, so each origin's eager links settle into a spanning tree rooted at it; the node never
 * prunes its <em>parent</em> (the link not pruned here that brought the origin's latest first
 * receipt), and a PRUNE changes only the pruned side, so that broadcasts overtaking each other
 * under load seldom cut a node off from an origin (a loop of parents still can, until a graft
 * repairs it). An announced id this node has not seen within
 * {@value #MISSING_TIMEOUT_MILLIS} ms makes it GRAFT the announcer, which answers from its cache of
 * recent broadcasts and makes the link eager for their origins (for every origin, when the cache no
 * longer holds what was asked); if the broadcast still does not come, the next announcer is
 * grafted. A broken tree link repairs itself this way; a tree link that closes is repaired at once, by
 * a GRAFT to another link for each origin it was the parent of ({@link #peerGone}), and on links of
 * extension version 3 the neighbours are told (ORPHANED, docs/extension-v3.md): each node below grafts
 * what it sees announced after {@value #ORPHANED_MISSING_TIMEOUT_MILLIS} ms instead of
 * {@value #MISSING_TIMEOUT_MILLIS} until the origin is heard from again, since a step-parent may itself
 * hang below the node, or none be left, and each other neighbour announces the origin's next
 * broadcast to the told node at once. Why per origin: with
 * one shared tree, writers on both sides of a repaired cut prune the new links from both ends at
 * once and the tree never settles (docs/extension-v2.md §3.1).
 *
 * <p>Costs and bounds (docs/extension-v2.md §3 gives the reasons):
 * <ul>
 *   <li>announcements to a link are gathered for {@value #ANNOUNCE_DELAY_MILLIS} ms, longer (up to
 *       {@value #ANNOUNCE_MAX_DELAY_MILLIS} ms) while fewer than {@value #ANNOUNCE_MIN_IDS} ids wait,
 *       or until {@value TreeMessage#MAX_IDS} ids, and go out as one frame; an id the peer announced
 *       to this node meanwhile is left out, as the peer evidently has it;</li>
 *   <li>the cache keeps the last {@value #MAX_CACHED} announced broadcasts, at most
 *       {@value #MAX_CACHED_BYTES} payload bytes and {@value #CACHE_MILLIS} ms each; a graft for
 *       anything else is counted and ignored, and each cached broadcast is resent to one peer once;</li>
 *   <li>at most {@value #MAX_MISSING} announced-but-missing ids are tracked, each with up to
 *       {@value #MAX_ANNOUNCERS} announcers; further ids are counted and ignored (their broadcasts
 *       still come by eager links, or by anti-entropy);</li>
 *   <li>a PRUNE for an origin goes to a peer at most once a second, however many copies pushed
 *       before it arrived follow it;</li>
 *   <li>lazy links are remembered for the {@value #MAX_ORIGINS} origins used last; a forgotten
 *       origin starts over with every link eager (a few PRUNEs);</li>
 *   <li>an orphan notice crosses each link once per break, and a node stays orphaned for an origin
 *       until it hears from it, at most {@value #ORPHANED_MILLIS} ms; a peer's notice is kept for
 *       origins this node has a tree for, at most {@value #CUT_OFF_MILLIS} ms each.</li>
 * </ul>
 *
 * <p>Not thread-safe: confined to the protocol thread, except the counters, which any thread may
 * read ({@link #stats()}).
 */
final class BroadcastTree {

  private static final Logger log = LoggerFactory.getLogger(BroadcastTree.class);

  /** How long announcements to one link are gathered at least before they go out as one frame. */
  static final long ANNOUNCE_DELAY_MILLIS = 40;
  /** Fewer ids than this wait for more, up to {@link #ANNOUNCE_MAX_DELAY_MILLIS}. */
  static final int ANNOUNCE_MIN_IDS = 8;
  /**
   * How long a batch of fewer than {@link #ANNOUNCE_MIN_IDS} ids may wait: at a low write rate a
   * frame per id would cost each write more frames than its pushes, and a repair waits this long
   * at most.
   */
  static final long ANNOUNCE_MAX_DELAY_MILLIS = 200;
  /**
   * How long an announced id may stay missing before the announcer is grafted: well above an
   * eager path's latency across a loaded machine (so a broadcast on its way is not asked for
   * twice), well below anything a user would call lost.
   */
  static final long MISSING_TIMEOUT_MILLIS = 150;
  static final int MAX_CACHED = 8192;
  static final long MAX_CACHED_BYTES = 32L * 1024 * 1024;
  /** Half the waterfall's 60 s: a graft answered later would be refused as too old anyway. */
  static final long CACHE_MILLIS = 30_000;
  static final int MAX_MISSING = 32768;
  static final int MAX_ANNOUNCERS = 4;
  static final int MAX_ORIGINS = 4096;
  /** A duplicate from a link pruned for its origin less than this ago sends no PRUNE again. */
  static final long PRUNE_REPEAT_NANOS = TimeUnit.SECONDS.toNanos(1);
  /**
   * The missing timeout of a node orphaned for some origin (rule 9): its tree is known to be broken,
   * so an announcement is grafted almost at once; not at once, so that a broadcast pushed about as
   * its id was announced (another origin's, still on its tree) is not asked for twice.
   */
  static final long ORPHANED_MISSING_TIMEOUT_MILLIS = 10;
  /**
   * How long a node stays orphaned for an origin it does not hear from (rule 9): a minute, as a
   * writer's next broadcast may come that late (with 10 s, one writer in seven at 20 writes/s across
   * 100 nodes broadcast first after the hurry had ended, and its subtree waited for the timer).
   */
  static final long ORPHANED_MILLIS = 60_000;
  /**
   * How long a node announces an origin's next broadcast at once to a peer that said it is cut off
   * from it (rule 9): as long as the peer stays orphaned. One frame per peer and origin at most.
   */
  static final long CUT_OFF_MILLIS = ORPHANED_MILLIS;

  private final MeshNode node;
  /** Announced broadcasts by message id, oldest first. */
  private final LinkedHashMap<Bytes, Cached> cache = new LinkedHashMap<>();
  private long cachedBytes;
  /** Per origin, this node's side of its tree; the origins used last last. */
  private final LinkedHashMap<String, OriginTree> origins = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, OriginTree> eldest) {
      return size() > MAX_ORIGINS;
    }
  };
  /** Announced ids not yet received, with who announced them, first announcer first. */
  private final Map<Bytes, ArrayDeque<Peer>> missing = new HashMap<>();
  /** Origins whose tree this node is cut off from (rule 9). */
  private final OrphanedOrigins orphaned = new OrphanedOrigins(TimeUnit.MILLISECONDS.toNanos(ORPHANED_MILLIS));

  // Written on the protocol thread only, read by any thread.
  private volatile long floodSends;
  private volatile long eagerPushes;
  private volatile long announcementFrames;
  private volatile long announcedIds;
  private volatile long graftsSent;
  private volatile long graftsReceived;
  private volatile long graftAnswers;
  private volatile long prunesSent;
  private volatile long prunesReceived;
  private volatile long refused;
  private volatile long orphanNoticesSent;
  private volatile long orphanNoticesReceived;

  /** One origin's tree as this node sees it. */
  private static final class OriginTree {
    /** Peers that pruned this node: the origin's broadcasts are announced to them, not pushed. */
    final Set<Peer> lazy = new HashSet<>();
    /** Peers this node pruned, with when it last sent them a PRUNE ({@link System#nanoTime()}). */
    final Map<Peer, Long> pruned = new HashMap<>();
    /** The link not pruned here that delivered the origin's latest first receipt; never pruned. */
    @Nullable Peer parent;
    /** The id of the origin's latest broadcast received on a tree link: a GRAFT for it names the origin. */
    @Nullable Bytes latest;
    /** That broadcast's time, by its sender's clock (seconds). */
    long latestTime;
  }

  private static final class Cached {
    final OutboundFrame frame;
    final long atMillis;
    /** Peers it was resent to after a graft: each gets it once. */
    final List<Peer> resentTo = new ArrayList<>(1);

    Cached(OutboundFrame frame, long atMillis) {
      this.frame = frame;
      this.atMillis = atMillis;
    }
  }

  BroadcastTree(MeshNode node) {
    this.node = node;
  }

  /** Sends the broadcast {@code frame} to {@code peer}: pushed, or announced on a lazy tree link. */
  void send(Peer peer, OutboundFrame frame) {
    if (!peer.treeLink()) {
      floodSends++;
      peer.send(frame);
    } else if (!lazy(peer, frame.message().senderId())) {
      eagerPushes++;
      peer.send(frame);
    } else {
      Bytes id = frame.message().id();
      remember(id, frame);
      announce(peer, id);
      OrphanedOrigins cutOff = peer.cutOff;
      if (cutOff != null && cutOff.contains(frame.message().senderId(), System.nanoTime())) {
        // The peer waits for this origin's next broadcast (rule 9): a batch's wait would be its repair's.
        cutOff.heardFrom(frame.message().senderId());
        flush(peer);
      }
    }
  }

  /**
   * A broadcast's first receipt, from {@code peer}: its id is no longer missing, and a link this
   * node has not pruned becomes the origin's parent here. Unlike the paper, a pruned arrival link is
   * not made eager again: under load, broadcasts pushed before a PRUNE arrived would flip pruned
   * links back, and each flip costs another PRUNE. Links become eager by GRAFT only.
   */
  void firstReceipt(Peer peer, InternalMessage message) {
    if (!missing.isEmpty()) {
      missing.remove(message.id());
    }
    String origin = message.senderId();
    orphaned.heardFrom(origin);
    if (peer.treeLink() && TreeMessage.fitsOrigin(origin)) {
      OriginTree t = tree(origin);
      t.latest = message.id();
      t.latestTime = message.time();
      if (!t.pruned.containsKey(peer)) {
        t.parent = peer;
      }
    }
  }

  /**
   * A copy of {@code message}, a broadcast already seen, arrived from {@code peer}: unless that link
   * is the origin's parent here, a PRUNE asks the peer to push no more of the origin's broadcasts
   * to this node. Unlike the paper, this node's own pushes to the peer go on until the peer prunes
   * them: a copy coming one way says nothing of the other, and a node pruned both ways at once by
   * two neighbours that each saw the other's copy first is cut off from the origin until a repair.
   * Nor does it prune its parent, the link that delivered its latest first receipt, so it keeps
   * one link that pushes it the origin's broadcasts while those in flight overtake each other. A PRUNE
   * already sent to the peer for the origin within {@link #PRUNE_REPEAT_NANOS} is not repeated for
   * each copy pushed before it arrived.
   */
  void duplicate(Peer peer, InternalMessage message) {
    String origin = message.senderId();
    if (peer.treeLink() && TreeMessage.fitsOrigin(origin)) {
      OriginTree t = tree(origin);
      if (peer == t.parent) {
        return;
      }
      long now = System.nanoTime();
      Long last = t.pruned.get(peer);
      if (last != null && now - last < PRUNE_REPEAT_NANOS) {
        return;
      }
      t.pruned.put(peer, now);
      prunesSent++;
      send(peer, new TreeMessage.Prune(List.of(origin)));
    }
  }

  private OriginTree tree(String origin) {
    OriginTree t = origins.get(origin);
    if (t == null) {
      t = new OriginTree();
      origins.put(origin, t);
    }
    return t;
  }

  /** A tree message (sub-flag 0x23) from {@code peer}. */
  void handle(Peer peer, InternalMessage message) {
    if (message.type() != Flags.MAIN_WHISPER || !peer.treeLink()) {
      refuse(peer, "a tree message " + (message.type() != Flags.MAIN_WHISPER ? "as main flag " + message.type()
          : "on a link with extension version " + peer.extensionVersion + " (needs 2)"));
      return;
    }
    TreeMessage tree;
    try {
      tree = TreeMessage.read(message.payload());
    } catch (MessageShapeException e) {
      refuse(peer, e.getMessage());
      return;
    }
    if (tree instanceof TreeMessage.Announce a) {
      announced(peer, a.ids());
    } else if (tree instanceof TreeMessage.Graft g) {
      grafted(peer, g.ids());
    } else if (tree instanceof TreeMessage.Orphaned o) {
      if (!peer.orphanNotices()) {
        refuse(peer, "an orphan notice on a link with extension version " + peer.extensionVersion + " (needs 3)");
        return;
      }
      orphanNoticesReceived++;
      orphanedBelow(peer, o.origins());
    } else {
      prunesReceived++;
      for (String origin : ((TreeMessage.Prune) tree).origins()) {
        tree(origin).lazy.add(peer);
      }
    }
  }

  /**
   * The link to {@code peer} closed: its pending announcements go, and each origin whose parent it
   * was gets a new parent at once. Waiting for the repair of rule 5 would cost the origin's next
   * broadcast an announcement batch and a missing timeout (up to 350 ms); a GRAFT now costs one
   * resent broadcast per origin. The step-parent is a link that pruned this node for the origin
   * ({@link #stepParent}), and the GRAFT names the origin's latest broadcast, which that peer
   * announced here and so holds in its cache: answering it makes its side eager for the origin
   * (rule 6; if the cache let it go, for every origin, as for any graft). Nothing is grafted when
   * no such link is left (every other neighbour gets the origin through this node), for an origin
   * whose latest broadcast is older than the peers' caches keep one ({@value #CACHE_MILLIS} ms: a
   * GRAFT for it would make the step-parent push every origin here), and while the node itself
   * closes; but for every origin it was the parent of, the node is orphaned ({@link #orphan}).
   */
  void peerGone(Peer peer) {
    if (peer.announceFlush != null) {
      peer.announceFlush.cancel(false);
      peer.announceFlush = null;
    }
    peer.announceBatch.clear();
    Map<Peer, List<Bytes>> asks = null;
    List<String> lost = null;
    boolean repair = !node.isClosed();
    long cachedSince = node.nowSeconds() - TimeUnit.MILLISECONDS.toSeconds(CACHE_MILLIS);
    for (Map.Entry<String, OriginTree> e : origins.entrySet()) {
      OriginTree t = e.getValue();
      t.lazy.remove(peer);
      t.pruned.remove(peer);
      if (t.parent != peer) {
        continue;
      }
      t.parent = null;
      if (!repair || t.latest == null) {
        continue;
      }
      if (lost == null) {
        lost = new ArrayList<>();
      }
      lost.add(e.getKey());
      if (t.latestTime < cachedSince) {
        continue; // a GRAFT names cached ids only; the notices (rule 9) repair this one
      }
      Peer next = stepParent(t);
      if (next != null) {
        t.parent = next;
        t.pruned.remove(next);
        if (asks == null) {
          asks = new LinkedHashMap<>();
        }
        asks.computeIfAbsent(next, p -> new ArrayList<>()).add(t.latest);
      }
    }
    if (asks != null) {
      for (Map.Entry<Peer, List<Bytes>> ask : asks.entrySet()) {
        graft(ask.getKey(), ask.getValue());
      }
      log.debug("{} lost: grafted {} links for the origins it was parent of", peer, asks.size());
    }
    if (lost != null) {
      orphan(lost, peer, true);
    }
  }

  /**
   * Rule 9 (docs/extension-v3.md §3): {@code from} says its path to {@code notified} origins broke.
   * For those it is this node's parent of, this node is orphaned too, and says so. For the others
   * this node gets the origin another way, so it may be what repairs {@code from}: it announces
   * each one's next broadcast to {@code from} at once instead of batching it (within
   * {@value #CUT_OFF_MILLIS} ms). Origins this node has no tree for are left out, so a peer's
   * notices keep nothing here beyond the origins this node already knows.
   */
  private void orphanedBelow(Peer from, List<String> notified) {
    List<String> lost = null;
    long now = System.nanoTime();
    for (String origin : notified) {
      OriginTree t = origins.get(origin);
      if (t == null) {
        continue; // an origin this node does not know: nothing to relay or announce (and nothing kept)
      }
      if (t.parent == from) {
        if (lost == null) {
          lost = new ArrayList<>();
        }
        lost.add(origin);
      } else {
        if (from.cutOff == null) {
          from.cutOff = new OrphanedOrigins(TimeUnit.MILLISECONDS.toNanos(CUT_OFF_MILLIS));
        }
        from.cutOff.add(origin, now);
      }
    }
    if (lost != null) {
      orphan(lost, from, false);
    }
  }

  /**
   * This node's path to the {@code lost} origins broke (its parent link for them, {@code from}, closed,
   * or said so): until it hears from each again, at most {@value #ORPHANED_MILLIS} ms, it grafts what
   * it sees announced after {@value #ORPHANED_MISSING_TIMEOUT_MILLIS} ms, and it tells its links of
   * version 3 (one ORPHANED per peer), except the step-parent and the origin: all of them when its
   * parent's link closed ({@code linkClosed}), else those it pushes the origins on. The nodes below do
   * the same; the neighbours outside the broken subtree announce the origin's next broadcast to it
   * at once (telling them at every node below as well doubled the notices for no measured gain).
   * Rule 8's step-parent may hang below this node too (several nodes picked one at once), or
   * none be left: then the subtree is fed by the first of its nodes that sees an announcement, tens
   * of ms after the origin's next broadcast instead of a batch's wait and the missing timeout. An
   * origin this node is already orphaned for is not told again, so a notice crosses each link once,
   * around a loop of parents too.
   */
  private void orphan(List<String> lost, Peer from, boolean linkClosed) {
    long now = System.nanoTime();
    Map<Peer, List<String>> notices = null;
    for (String origin : lost) {
      OriginTree t = origins.get(origin);
      if (t == null || !orphaned.add(origin, now)) {
        continue;
      }
      for (Peer p : node.routing.values()) {
        if (p != from && p != t.parent && p.orphanNotices() && !origin.equals(p.id)
            && (linkClosed || !t.lazy.contains(p))) {
          if (notices == null) {
            notices = new LinkedHashMap<>();
          }
          notices.computeIfAbsent(p, k -> new ArrayList<>()).add(origin);
        }
      }
    }
    if (notices != null) {
      for (Map.Entry<Peer, List<String>> notice : notices.entrySet()) {
        List<String> told = notice.getValue();
        int perFrame = originsPerFrame(told);
        for (int i = 0; i < told.size(); i += perFrame) {
          orphanNoticesSent++;
          send(notice.getKey(), new TreeMessage.Orphaned(told.subList(i, Math.min(told.size(), i + perFrame))));
        }
      }
      log.debug("{} lost: told {} links of {} orphaned origins", from, notices.size(), lost.size());
    }
  }

  /**
   * A live link that pruned this node for {@code t}'s origin: that peer is fed the origin's
   * broadcasts by another link and announced them here, so its cache holds the latest. Of those,
   * one this node pruned too, the last pruned first (it pushed a copy lately, so it was receiving);
   * a graft forgets what it pruned, so one it did not prune will do.
   */
  private @Nullable Peer stepParent(OriginTree t) {
    Peer best = null;
    Long bestAt = null;
    for (Peer p : t.lazy) {
      if (!live(p)) {
        continue;
      }
      Long at = t.pruned.get(p);
      if (best == null || (at != null && (bestAt == null || at - bestAt > 0))) {
        best = p;
        bestAt = at;
      }
    }
    return best;
  }

  BroadcastStats stats() {
    return new BroadcastStats(floodSends, eagerPushes, announcementFrames, announcedIds, graftsSent, graftsReceived,
        graftAnswers, prunesSent, prunesReceived, refused, orphanNoticesSent, orphanNoticesReceived);
  }

  // ------------------------------------------------------------------ internals

  private boolean lazy(Peer peer, String origin) {
    OriginTree t = origins.get(origin);
    return t != null && t.lazy.contains(peer);
  }

  private void refuse(Peer peer, String why) {
    refused++;
    node.reportError("dropped tree message from " + peer + ": " + why);
  }

  private void announce(Peer peer, Bytes id) {
    if (!peer.announceBatch.add(id)) {
      return;
    }
    if (peer.announceBatch.size() >= idsPerFrame()) {
      flush(peer);
    } else if (peer.announceFlush == null) {
      peer.announceSinceNanos = System.nanoTime();
      flushIn(peer, ANNOUNCE_DELAY_MILLIS);
    }
  }

  private void flushIn(Peer peer, long millis) {
    peer.announceFlush = node.loop.schedule(() -> flushIfDue(peer), millis, TimeUnit.MILLISECONDS);
  }

  /** The batch's timer: a few ids wait for more, until the batch is {@value #ANNOUNCE_MAX_DELAY_MILLIS} ms old. */
  private void flushIfDue(Peer peer) {
    // Monotonic: a step of the wall clock must not hold a batch back.
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - peer.announceSinceNanos);
    if (peer.announceBatch.size() < ANNOUNCE_MIN_IDS && waited < ANNOUNCE_MAX_DELAY_MILLIS && live(peer)) {
      flushIn(peer, Math.min(ANNOUNCE_DELAY_MILLIS, ANNOUNCE_MAX_DELAY_MILLIS - waited));
    } else {
      flush(peer);
    }
  }

  private void flush(Peer peer) {
    if (peer.announceFlush != null) {
      peer.announceFlush.cancel(false);
      peer.announceFlush = null;
    }
    peer.announcePostponed = false;
    if (peer.announceBatch.isEmpty() || !live(peer)) {
      peer.announceBatch.clear();
      return;
    }
    List<Bytes> ids = List.copyOf(peer.announceBatch);
    peer.announceBatch.clear();
    announcementFrames++;
    announcedIds += ids.size();
    send(peer, new TreeMessage.Announce(ids));
  }

  /**
   * Ids one ANNOUNCE or GRAFT may carry under this node's frame cap: each takes 34 bytes (bin 32),
   * and 512 bytes leave room for the checksum, the header packets and a sender id of up to 100
   * characters. 1,024 from a cap of 35 KiB up; 14 at the smallest cap, 1 KiB.
   */
  private int idsPerFrame() {
    return Math.max(1, Math.min(TreeMessage.MAX_IDS, elementRoom() / (TreeMessage.ID_BYTES + 2)));
  }

  /** Bytes a tree message's list may take under the frame cap: the cap less the body's header, generously. */
  private int elementRoom() {
    return node.maxFrameBytes() - 512 - 4 * node.id.length();
  }

  /** How many of {@code origins} one frame under the cap holds, each taken as long as the longest. */
  private int originsPerFrame(List<String> origins) {
    int longest = 1;
    for (String origin : origins) {
      longest = Math.max(longest, origin.getBytes(StandardCharsets.UTF_8).length);
    }
    return Math.max(1, Math.min(TreeMessage.MAX_IDS, elementRoom() / (longest + 3)));
  }

  /** Whispers {@code message}; a frame the cap refuses (a very long node id) is reported, not thrown. */
  private void send(Peer peer, TreeMessage message) {
    try {
      node.send(peer, Flags.MAIN_WHISPER, message.toPayload());
    } catch (RuntimeException e) {
      node.reportError("tree message to " + peer + " not sent: " + e.getMessage());
    }
  }

  private void announced(Peer peer, List<Bytes> ids) {
    long now = node.nowSeconds();
    List<Bytes> fresh = null;
    for (Bytes id : ids) {
      if (node.waterfall.seen(id, now)) {
        peer.announceBatch.remove(id); // it has it: announcing it back would tell it nothing
        continue;
      }
      ArrayDeque<Peer> announcers = missing.get(id);
      if (announcers == null) {
        if (missing.size() >= MAX_MISSING) {
          refused++;
          continue;
        }
        announcers = new ArrayDeque<>(2);
        missing.put(id, announcers);
        if (fresh == null) {
          fresh = new ArrayList<>();
        }
        fresh.add(id);
      }
      if (announcers.size() < MAX_ANNOUNCERS && !announcers.contains(peer)) {
        announcers.addLast(peer);
      }
    }
    if (peer.announceFlush != null && !peer.announcePostponed && !peer.announceBatch.isEmpty()) {
      // The peer just announced to us: put ours off by one window (once), so that the ids both of
      // us get meanwhile go in one frame of one side instead of a frame of each.
      peer.announceFlush.cancel(false);
      peer.announcePostponed = true;
      flushIn(peer, ANNOUNCE_DELAY_MILLIS);
    }
    if (fresh != null) {
      List<Bytes> due = fresh;
      node.loop.schedule(() -> graftMissing(due), missingTimeoutMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The timer of announced ids: those still missing are asked of their next announcer, one GRAFT
   * per announcer (which makes the link eager for their origins on its side), and looked at again
   * after another timeout; with no announcer left an id is
   * forgotten (a later announcement starts over).
   */
  private void graftMissing(List<Bytes> ids) {
    Map<Peer, List<Bytes>> asks = new LinkedHashMap<>();
    List<Bytes> again = new ArrayList<>();
    for (Bytes id : ids) {
      ArrayDeque<Peer> announcers = missing.get(id);
      if (announcers == null) {
        continue;
      }
      Peer from = null;
      while (from == null && !announcers.isEmpty()) {
        Peer p = announcers.pollFirst();
        if (live(p)) {
          from = p;
        }
      }
      if (from == null) {
        missing.remove(id);
        continue;
      }
      asks.computeIfAbsent(from, p -> new ArrayList<>()).add(id);
      again.add(id);
    }
    for (Map.Entry<Peer, List<Bytes>> ask : asks.entrySet()) {
      Peer peer = ask.getKey();
      List<Bytes> wanted = ask.getValue();
      for (OriginTree t : origins.values()) {
        t.pruned.remove(peer); // the grafted peer pushes again: a copy it sends twice deserves a PRUNE
      }
      graft(peer, wanted);
      log.debug("{}: grafted for {} missing broadcasts", peer, wanted.size());
    }
    if (!again.isEmpty()) {
      node.loop.schedule(() -> graftMissing(again), MISSING_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * How long an id announced now may stay missing before its announcer is grafted: shorter while
   * this node is orphaned for some origin (rule 9), whose next broadcast only an announcement brings.
   */
  long missingTimeoutMillis() {
    return orphaned.any(System.nanoTime()) ? ORPHANED_MISSING_TIMEOUT_MILLIS : MISSING_TIMEOUT_MILLIS;
  }

  /** Asks {@code peer} for {@code ids}, in as few GRAFT frames as the frame cap allows. */
  private void graft(Peer peer, List<Bytes> ids) {
    int perFrame = idsPerFrame();
    for (int i = 0; i < ids.size(); i += perFrame) {
      graftsSent++;
      send(peer, new TreeMessage.Graft(ids.subList(i, Math.min(ids.size(), i + perFrame))));
    }
  }

  private void grafted(Peer peer, List<Bytes> ids) {
    graftsReceived++;
    long now = node.nowMillis();
    boolean gone = false;
    for (Bytes id : ids) {
      Cached c = cache.get(id);
      if (c == null || now - c.atMillis > CACHE_MILLIS) {
        refused++;
        gone = true;
        continue;
      }
      if (c.resentTo.contains(peer) || !node.mayReceive(peer.info(), c.frame.message())) {
        refused++; // asked twice, or not for this peer: nothing to send
        continue;
      }
      c.resentTo.add(peer);
      OriginTree t = origins.get(c.frame.message().senderId());
      if (t != null) {
        t.lazy.remove(peer); // the grafter's side of the link stays as it was: it does not know the origin
      }
      graftAnswers++;
      peer.send(c.frame);
    }
    if (gone) {
      // Asked for broadcasts no longer cached, of origins this node cannot tell: the grafter's tree
      // broke longer ago than the cache reaches (a bulk load outruns it), and what it lost waits for
      // anti-entropy. Pushing every origin to it again ends the cut-off now; its PRUNEs settle the rest.
      for (OriginTree t : origins.values()) {
        t.lazy.remove(peer);
      }
    }
  }

  private void remember(Bytes id, OutboundFrame frame) {
    if (cache.containsKey(id)) {
      return;
    }
    long now = node.nowMillis();
    cache.put(id, new Cached(frame, now));
    cachedBytes += frame.payloadSize();
    Iterator<Cached> oldest = cache.values().iterator();
    while (oldest.hasNext()) {
      Cached c = oldest.next();
      if (cache.size() <= MAX_CACHED && cachedBytes <= MAX_CACHED_BYTES && now - c.atMillis <= CACHE_MILLIS) {
        break;
      }
      cachedBytes -= c.frame.payloadSize();
      oldest.remove();
    }
  }

  private boolean live(Peer peer) {
    return peer.registered && peer.id != null && node.routing.get(peer.id) == peer;
  }

  int cachedCount() {
    return cache.size();
  }

  int missingCount() {
    return missing.size();
  }
}
