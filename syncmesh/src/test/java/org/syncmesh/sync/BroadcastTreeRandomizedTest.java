package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.mesh.BroadcastStats;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;
import org.syncmesh.wire.ExtensionOffer;

/**
 * Broadcast trees under link failures and churn (issue 16, docs/extension-v2.md, -v3.md): 24 sync
 * nodes in a seeded random connected mesh of degree 4–6, every link of extension version 3 (or, in
 * the mixed variant, every other node capped at version 2, so that links of 2 and 3 mix). Writes come from
 * random nodes, concurrently; while they are in flight 10 % of the links are cut (the mesh kept
 * connected) and, later, two nodes are closed and two new ones join. Anti-entropy runs only when a
 * link comes up (its interval is an hour), so the tree alone carries the live writes to the old
 * nodes, and its repair alone covers the cut links. Every node must apply every write exactly once
 * (one update event per key, each write a key of its own) and all stores must end equal. A failure
 * names the seed; {@code -Dsyncmesh.seed=N} replays the same topology, writers and cuts.
 *
 * <p>A second test loads a smaller mesh in bulk, from three writers at once, as fast as they can
 * write: pushes then queue behind each other for seconds, announcements overtake them, and the
 * tree must still bring every write, with no anti-entropy to fall back on.
 */
final class BroadcastTreeRandomizedTest {

  private static final int NODES = 24;
  private static final int MIN_DEGREE = 4;
  private static final int MAX_DEGREE = 6;
  private static final int WRITES_PER_PHASE = 120;
  private static final int CHURNED = 2;
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final int BULK_NODES = 10;
  private static final int BULK_WRITERS = 3;
  private static final int BULK_WRITES = 40_000;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final List<SyncSocket> nodes = new ArrayList<>();
  /** Update events per node, per key. */
  private final Map<SyncSocket, Map<Bytes, AtomicInteger>> applied = new ConcurrentHashMap<>();
  /** Links as pairs of indexes into {@link #nodes}, the first one dialled. */
  private final Set<List<Integer>> links = new HashSet<>();
  private final Set<Integer> closed = new HashSet<>();
  private int written;

  @Test
  void everyNodeAppliesEveryWriteExactlyOnce_underLinkCutsAndChurn() {
    underLinkCutsAndChurn(false);
  }

  /**
   * The same with every other node capped at version 2 (trees without orphan notices), as in a
   * rollout of version 3: links between two version-3 nodes carry notices, the others none.
   */
  @Test
  void aMeshOfVersion2And3Nodes_appliesEveryWriteExactlyOnce_underLinkCutsAndChurn() {
    underLinkCutsAndChurn(true);
  }

  /** The highest extension version node {@code index} offers: every odd one capped at 2 when mixed. */
  private static int cap(int index, boolean mixed) {
    return mixed && index % 2 == 1 ? ExtensionOffer.BROADCAST_TREES : ExtensionOffer.THIS_BUILD.max();
  }

  private void underLinkCutsAndChurn(boolean mixed) {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(node(cap(i, mixed)));
      }
      buildMesh(random, NODES);
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < NODES; i++) {
        index.put(nodes.get(i).id(), i);
      }
      for (int i = 0; i < NODES; i++) {
        int mine = cap(i, mixed);
        assertThat(nodes.get(i).routingTable().values()).as("every link runs the tree, of the lower end's version")
            .allMatch(p -> p.extensionVersion() == Math.min(mine, cap(index.get(p.id()), mixed)));
      }
      Set<Integer> stable = new HashSet<>();
      for (int i = 0; i < NODES; i++) {
        stable.add(i);
      }
      List<Integer> victims = new ArrayList<>();
      while (victims.size() < CHURNED) {
        int v = random.nextInt(NODES);
        if (!victims.contains(v)) {
          victims.add(v);
        }
      }
      stable.removeAll(victims);

      // Phase 1: writes, with 10 % of the links cut half-way through.
      List<CompletableFuture<Void>> pending = writes(random, List.copyOf(stable), WRITES_PER_PHASE / 2);
      cutLinks(random, links.size() / 10);
      pending.addAll(writes(random, List.copyOf(stable), WRITES_PER_PHASE / 2));
      join(pending);
      awaitAllApplied("after the cuts");

      // Phase 2: writes while two nodes leave and two new ones join.
      pending = writes(random, List.copyOf(stable), WRITES_PER_PHASE / 2);
      for (int v : victims) {
        churn(random, v, mixed);
      }
      pending.addAll(writes(random, List.copyOf(stable), WRITES_PER_PHASE / 2));
      join(pending);
      awaitAllApplied("after the churn");

      // Phase 3: writes from every live node, the newcomers too.
      List<Integer> live = new ArrayList<>();
      for (int i = 0; i < nodes.size(); i++) {
        if (!closed.contains(i)) {
          live.add(i);
        }
      }
      join(writes(random, live, WRITES_PER_PHASE));
      awaitAllApplied("at the end");

      List<SyncSocket> liveNodes = live.stream().map(nodes::get).toList();
      for (SyncSocket n : liveNodes) {
        Map<Bytes, AtomicInteger> counts = applied.get(n);
        assertThat(counts).as("keys applied on " + n).hasSize(written);
        assertThat(counts.entrySet()).as("writes applied more than once on " + n)
            .allMatch(e -> e.getValue().get() == 1);
      }
      Cluster.awaitIdentical(liveNodes, Duration.ofSeconds(10), "at the end");
      long prunes = 0;
      long announced = 0;
      for (int i : live) {
        BroadcastStats s = nodes.get(i).mesh().broadcastStats();
        prunes += s.prunesSent();
        announced += s.announcedIds();
        assertThat(s.floodSends()).as("no flood between tree nodes").isZero();
        assertThat(String.valueOf(nodes.get(i).status())).as("no notice sent on a version-2 link")
            .doesNotContain("orphan notice");
        if (cap(i, mixed) < ExtensionOffer.ORPHAN_NOTICES) {
          assertThat(s.orphanNoticesReceived() + s.orphanNoticesSent()).as("a version-2 node hears no notice").isZero();
        }
      }
      assertThat(prunes).as("the tree formed").isPositive();
      assertThat(announced).as("lazy links were announced to").isPositive();
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("seed " + seed + " (replay with -D" + Seeded.SEED_PROPERTY + "=" + seed + "); links "
          + links + ", closed " + closed + "\n" + e.getMessage(), e);
    }
  }

  @Test
  void aBulkLoadFromSeveralWritersAtOnce_reachesEveryNodeExactlyOnce_byTheTreeAlone() {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    try {
      for (int i = 0; i < BULK_NODES; i++) {
        nodes.add(node(ExtensionOffer.THIS_BUILD.max()));
      }
      buildMesh(random, BULK_NODES);
      List<Integer> writers = new ArrayList<>();
      while (writers.size() < BULK_WRITERS) {
        int w = random.nextInt(BULK_NODES);
        if (!writers.contains(w)) {
          writers.add(w);
        }
      }
      bulkLoad(writers);
      awaitAllApplied("after the bulk load");
      for (SyncSocket n : nodes) {
        assertThat(applied.get(n).entrySet()).as("writes applied more than once on " + n)
            .allMatch(e -> e.getValue().get() == 1);
        assertThat(n.peerSync().values()).as("nothing came by anti-entropy to " + n)
            .allMatch(p -> p.entriesReceived() == 0);
      }
      Cluster.awaitIdentical(nodes, Duration.ofSeconds(10), "after the bulk load");
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError("seed " + seed + " (replay with -D" + Seeded.SEED_PROPERTY + "=" + seed + "); links "
          + links + "\n" + e.getMessage(), e);
    }
  }

  private SyncSocket node(int maxExtensionVersion) {
    SyncSocket n = net.track(new SyncSocket.Builder().leasing(false).maxOutgoing(0).reconnect(false)
        .antiEntropyInterval(Duration.ofHours(1)).maxExtensionVersion(maxExtensionVersion)
        .callbackExecutor(Runnable::run).build());
    Map<Bytes, AtomicInteger> counts = new ConcurrentHashMap<>();
    applied.put(n, counts);
    n.onUpdate((key, old, value) -> counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet());
    return n;
  }

  /** A random spanning tree of the first {@code count} nodes, then extra links until each has degree 4 (at most 6). */
  private void buildMesh(SplittableRandom random, int count) {
    int[] degree = new int[count];
    for (int i = 1; i < count; i++) {
      link(i, random.nextInt(i), degree);
    }
    for (int i = 0; i < count; i++) {
      int tries = 0;
      while (degree[i] < MIN_DEGREE && tries++ < 100) {
        int j = random.nextInt(count);
        if (j != i && degree[j] < MAX_DEGREE && !links.contains(List.of(i, j)) && !links.contains(List.of(j, i))) {
          link(i, j, degree);
        }
      }
    }
  }

  private void link(int dialler, int target, int[] degree) {
    SyncSocket d = nodes.get(dialler);
    SyncSocket t = nodes.get(target);
    d.connect("127.0.0.1", t.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await(d + " and " + t + " to register each other").atMost(Duration.ofSeconds(10))
        .until(() -> t.routingTable().containsKey(d.id()) && d.routingTable().containsKey(t.id()));
    links.add(List.of(dialler, target));
    if (degree != null) {
      degree[dialler]++;
      degree[target]++;
    }
  }

  /** Cuts {@code count} random links, each only if the mesh stays connected without it. */
  private void cutLinks(SplittableRandom random, int count) {
    List<List<Integer>> candidates = new ArrayList<>(links);
    candidates.sort((a, b) -> a.get(0) != b.get(0).intValue() ? a.get(0) - b.get(0) : a.get(1) - b.get(1));
    int cut = 0;
    while (cut < count && !candidates.isEmpty()) {
      List<Integer> link = candidates.remove(random.nextInt(candidates.size()));
      links.remove(link);
      if (!connected(Set.of())) {
        links.add(link);
        continue;
      }
      SyncSocket d = nodes.get(link.get(0));
      SyncSocket t = nodes.get(link.get(1));
      d.disconnect(t.id());
      await(link + " to go down").atMost(Duration.ofSeconds(10))
          .until(() -> !d.routingTable().containsKey(t.id()) && !t.routingTable().containsKey(d.id()));
      cut++;
    }
    assertThat(cut).as("links cut").isEqualTo(count);
  }

  /** Closes node {@code victim} (if the rest stays connected) and starts a newcomer linked to 4 live nodes. */
  private void churn(SplittableRandom random, int victim, boolean mixed) {
    Set<Integer> gone = new HashSet<>(closed);
    gone.add(victim);
    assertThat(connected(gone)).as("the mesh without node " + victim + " stays connected (seeded topology)").isTrue();
    nodes.get(victim).close();
    closed.add(victim);
    links.removeIf(l -> l.contains(victim));
    int fresh = nodes.size();
    nodes.add(node(cap(fresh, mixed)));
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < fresh; i++) {
      if (!closed.contains(i)) {
        live.add(i);
      }
    }
    for (int k = 0; k < MIN_DEGREE; k++) {
      link(fresh, live.remove(random.nextInt(live.size())), null);
    }
  }

  /** Whether the links connect every node but {@code without} and those already closed. */
  private boolean connected(Set<Integer> without) {
    Map<Integer, List<Integer>> adjacent = new HashMap<>();
    for (List<Integer> l : links) {
      if (!without.contains(l.get(0)) && !without.contains(l.get(1))) {
        adjacent.computeIfAbsent(l.get(0), k -> new ArrayList<>()).add(l.get(1));
        adjacent.computeIfAbsent(l.get(1), k -> new ArrayList<>()).add(l.get(0));
      }
    }
    Set<Integer> alive = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (!closed.contains(i) && !without.contains(i)) {
        alive.add(i);
      }
    }
    Set<Integer> seen = new HashSet<>();
    ArrayDeque<Integer> todo = new ArrayDeque<>();
    int start = alive.iterator().next();
    todo.add(start);
    seen.add(start);
    while (!todo.isEmpty()) {
      for (int n : adjacent.getOrDefault(todo.poll(), List.of())) {
        if (seen.add(n)) {
          todo.add(n);
        }
      }
    }
    return seen.equals(alive);
  }

  /** {@code count} writes of new keys, each from a random one of {@code writers}, not waited for. */
  private List<CompletableFuture<Void>> writes(SplittableRandom random, List<Integer> writers, int count) {
    List<CompletableFuture<Void>> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SyncSocket writer = nodes.get(writers.get(random.nextInt(writers.size())));
      out.add(writer.setAsync("w" + written, random.nextInt(1_000_000)));
      written++;
    }
    return out;
  }

  /**
   * {@link #BULK_WRITES} new keys, written with the blocking {@code set} by one thread per writer
   * at once (of w writers, the i-th takes keys i, i + w, i + 2w, …), each as fast as its node's
   * back-pressure lets it.
   */
  private void bulkLoad(List<Integer> writers) {
    List<CompletableFuture<Void>> loads = new ArrayList<>();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(writers.size());
    try {
      for (int w = 0; w < writers.size(); w++) {
        SyncSocket writer = nodes.get(writers.get(w));
        int first = w;
        loads.add(CompletableFuture.runAsync(() -> {
          for (int k = first; k < BULK_WRITES; k += writers.size()) {
            writer.set("w" + k, k);
          }
        }, threads));
      }
      CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    } finally {
      threads.shutdownNow();
      try {
        threads.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    written = BULK_WRITES;
  }

  private static void join(List<CompletableFuture<Void>> writes) {
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  private void awaitAllApplied(String context) {
    for (int i = 0; i < nodes.size(); i++) {
      if (closed.contains(i)) {
        continue;
      }
      SyncSocket n = nodes.get(i);
      Map<Bytes, AtomicInteger> counts = applied.get(n);
      int index = i;
      try {
        await("node " + i + " to apply all " + written + " writes (" + context + ")").atMost(CONVERGE)
            .pollInterval(Duration.ofMillis(50)).until(() -> counts.size() == written);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        List<String> missing = new ArrayList<>();
        for (int k = 0; k < written && missing.size() < 10; k++) {
          if (!counts.containsKey(Bytes.utf8("w" + k))) {
            missing.add("w" + k);
          }
        }
        throw new AssertionError(e.getMessage() + "; node " + index + " misses " + missing + " of " + written
            + "; its peers " + n.routingTable().keySet() + ", tree " + n.mesh().broadcastStats()
            + ", status " + n.statusErrors(), e);
      }
    }
  }
}
