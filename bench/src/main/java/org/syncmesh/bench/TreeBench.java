package org.syncmesh.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.syncmesh.mesh.BroadcastStats;
import org.syncmesh.sync.SyncSocket;

/**
 * Broadcast trees vs flood (issue 16; bench/README.md, "Broadcast trees"): n syncmesh sync nodes in
 * this JVM, linked in a seeded random connected mesh where each node wants 4 to 8 links, every node
 * with broadcast trees on (every link extension version 2) or off (version 1: the flood). After a
 * warm-up that lets the tree settle, K writes of new keys from random nodes at a steady rate; each
 * node's update listener stamps every arrival. Reported per n, mode and cut: the time for a write
 * to reach every node (p50, p99, max, from just before {@code setAsync}), transmissions per write
 * (every frame the writes caused, on every link: {@link BroadcastStats#transmissions()} summed over
 * the nodes, from the first measured write (or the cut, below) until every node holds the last one
 * and announcements have flushed, divided by K), lost writes (not on every node 30 s after the
 * last), and the same with 10 % of the links, chosen at random, cut right before the measured
 * writes (the tree must repair; a cut that would split the mesh is skipped). Anti-entropy runs only
 * at link-up (interval one hour), so it neither repairs nor adds frames. Writes a Markdown table
 * and a PNG plot ({@link TreePlot}).
 *
 * <pre>
 * bench/trees.sh [--nodes 10,30,100] [--keys 2000] [--rate 200] [--warmup 1000] [--seed 1] [--modes flood,tree] [--cuts 0,10] [--out FILE]
 * </pre>
 */
public final class TreeBench {

  private static final long LOST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);

  private TreeBench() {}

  /** One configuration's figures. */
  record Row(int nodes, int links, String mode, int cut, int writes, double ratePerSecond, double p50Millis,
      double p99Millis, double maxMillis, double transmissionsPerWrite, int lost, long eager, long flood,
      long announcementFrames, long announcedIds, long grafts, long graftAnswers, long prunes, long orphanNotices) {

    double perNodeRatio() {
      return transmissionsPerWrite / (nodes - 1);
    }
  }

  public static void main(String[] args) throws Exception {
    int[] sizes = {10, 30, 100};
    int keys = 2000;
    int rate = 200;
    int warmup = 1000;
    long seed = 1;
    List<String> modes = List.of("flood", "tree");
    List<String> cuts = List.of("0", "10");
    Path out = Path.of("bench/results/" + LocalDate.now() + "-trees.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--cuts" -> cuts = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String loadBefore = Figures.load();
    Instant start = Instant.now();
    List<Row> rows = new ArrayList<>();
    for (int n : sizes) {
      for (boolean trees : new boolean[] {false, true}) {
        if (!modes.contains(trees ? "tree" : "flood")) {
          continue;
        }
        for (boolean cut : new boolean[] {false, true}) {
          if (!cuts.contains(cut ? "10" : "0")) {
            continue;
          }
          Row row = run(n, trees, cut, keys, rate, warmup, seed);
          rows.add(row);
          System.err.println("  " + row);
        }
      }
    }
    String md = table(rows, keys, rate, warmup, seed, loadBefore, start);
    System.out.print(md);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, md, StandardCharsets.UTF_8);
    Path png = Path.of(out.toString().replaceAll("\\.md$", "") + ".png");
    TreePlot.write(rows, png);
    System.err.println("wrote " + out + " and " + png);
  }

  private static Row run(int n, boolean trees, boolean cutLinks, int keys, int rate, int warmup, long seed)
      throws Exception {
    System.err.printf("n=%d %s%s%n", n, trees ? "tree" : "flood", cutLinks ? ", 10%% of links cut" : "");
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + n);
    List<SyncSocket> nodes = new ArrayList<>();
    // Arrival stamps: per node, per write index (warm-up writes first, then the measured ones).
    int total = warmup + keys;
    long[][] arrivals = new long[n][total];
    int[] held = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        int index = i;
        SyncSocket s = new SyncSocket.Builder().leasing(false).maxOutgoing(0).reconnect(false)
            .antiEntropyInterval(Duration.ofHours(1)).broadcastTrees(trees).callbackExecutor(Runnable::run).build();
        s.onUpdate((key, old, value) -> {
          int w = Integer.parseInt(key.utf8(), 1, key.size(), 10);
          if (arrivals[index][w] == 0) {
            arrivals[index][w] = System.nanoTime();
            synchronized (held) {
              held[index]++;
            }
          }
        });
        nodes.add(s);
      }
      Set<List<Integer>> links = mesh(nodes, random);
      int linkCount = links.size();
      // Warm-up: the tree forms (PRUNEs), the JIT compiles; not measured.
      long[] sent = new long[total];
      write(nodes, random, 0, warmup, rate, sent);
      awaitHeld(held, warmup, TimeUnit.SECONDS.toNanos(60));
      // Counted from before the cut: the frames that repair the trees are part of the writes' cost.
      long before = transmissions(nodes);
      BroadcastStats[] statsBefore = nodes.stream().map(s -> s.mesh().broadcastStats()).toArray(BroadcastStats[]::new);
      int cut = 0;
      if (cutLinks) {
        cut = cut(nodes, links, random, Math.max(1, linkCount / 10));
      }
      write(nodes, random, warmup, total, rate, sent);
      awaitHeld(held, total, LOST_AFTER_NANOS);
      // Announcements still batched, and grafts they cause, belong to these writes: let them go out.
      settle(nodes);
      long after = transmissions(nodes);
      List<Double> latencies = new ArrayList<>();
      int lost = 0;
      for (int w = warmup; w < total; w++) {
        long last = 0;
        boolean everywhere = true;
        for (int i = 0; i < n; i++) {
          if (arrivals[i][w] == 0) {
            everywhere = false;
          }
          last = Math.max(last, arrivals[i][w]);
        }
        if (everywhere) {
          latencies.add((last - sent[w]) / 1e6);
        } else {
          lost++;
        }
      }
      latencies.sort(null);
      BroadcastStats sum = sinceBefore(nodes, statsBefore);
      return new Row(n, linkCount, trees ? "tree" : "flood", cut, keys, rate, percentile(latencies, 0.50),
          percentile(latencies, 0.99), latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1),
          (after - before) / (double) keys, lost, sum.eagerPushes(), sum.floodSends(), sum.announcementFrames(),
          sum.announcedIds(), sum.graftsSent(), sum.graftAnswers(), sum.prunesSent(), sum.orphanNoticesSent());
    } finally {
      for (SyncSocket s : nodes) {
        s.close();
      }
    }
  }

  /** Each node's broadcast counters since {@code before} (one snapshot per node, in order), summed over the nodes. */
  static BroadcastStats sinceBefore(List<SyncSocket> nodes, BroadcastStats[] before) {
    long[] sum = new long[12];
    for (int i = 0; i < nodes.size(); i++) {
      BroadcastStats a = nodes.get(i).mesh().broadcastStats();
      BroadcastStats b = before[i];
      sum[0] += a.floodSends() - b.floodSends();
      sum[1] += a.eagerPushes() - b.eagerPushes();
      sum[2] += a.announcementFrames() - b.announcementFrames();
      sum[3] += a.announcedIds() - b.announcedIds();
      sum[4] += a.graftsSent() - b.graftsSent();
      sum[5] += a.graftsReceived() - b.graftsReceived();
      sum[6] += a.graftAnswers() - b.graftAnswers();
      sum[7] += a.prunesSent() - b.prunesSent();
      sum[8] += a.prunesReceived() - b.prunesReceived();
      sum[9] += a.refused() - b.refused();
      sum[10] += a.orphanNoticesSent() - b.orphanNoticesSent();
      sum[11] += a.orphanNoticesReceived() - b.orphanNoticesReceived();
    }
    return new BroadcastStats(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7], sum[8], sum[9], sum[10],
        sum[11]);
  }

  /** Links the nodes as {@link MeshPlan} plans; returns the links as [dialler, target] once every one is up. */
  static Set<List<Integer>> mesh(List<SyncSocket> nodes, SplittableRandom random) {
    Set<List<Integer>> links = new HashSet<>();
    List<CompletableFuture<?>> dials = new ArrayList<>();
    for (int[] l : MeshPlan.links(nodes.size(), random)) {
      links.add(List.of(l[0], l[1]));
      dials.add(nodes.get(l[0]).connect("127.0.0.1", nodes.get(l[1]).port()));
    }
    CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    await("every link registered on both ends", () -> {
      for (List<Integer> l : links) {
        if (!nodes.get(l.get(1)).routingTable().containsKey(nodes.get(l.get(0)).id())) {
          return false;
        }
      }
      return true;
    }, TimeUnit.SECONDS.toNanos(60));
    return links;
  }

  /** Cuts up to {@code count} random links that leave the mesh connected; returns how many it cut. */
  private static int cut(List<SyncSocket> nodes, Set<List<Integer>> links, SplittableRandom random, int count) {
    List<List<Integer>> candidates = new ArrayList<>(links);
    candidates.sort((a, b) -> a.get(0) != b.get(0).intValue() ? a.get(0) - b.get(0) : a.get(1) - b.get(1));
    int cut = 0;
    List<List<Integer>> done = new ArrayList<>();
    while (cut < count && !candidates.isEmpty()) {
      List<Integer> l = candidates.remove(random.nextInt(candidates.size()));
      links.remove(l);
      if (!connected(nodes.size(), links)) {
        links.add(l);
        continue;
      }
      nodes.get(l.get(0)).disconnect(nodes.get(l.get(1)).id());
      done.add(l);
      cut++;
    }
    await("the cut links to go down", () -> {
      for (List<Integer> l : done) {
        if (nodes.get(l.get(1)).routingTable().containsKey(nodes.get(l.get(0)).id())
            || nodes.get(l.get(0)).routingTable().containsKey(nodes.get(l.get(1)).id())) {
          return false;
        }
      }
      return true;
    }, TimeUnit.SECONDS.toNanos(30));
    return cut;
  }

  private static boolean connected(int n, Set<List<Integer>> links) {
    Map<Integer, List<Integer>> adjacent = new HashMap<>();
    for (List<Integer> l : links) {
      adjacent.computeIfAbsent(l.get(0), k -> new ArrayList<>()).add(l.get(1));
      adjacent.computeIfAbsent(l.get(1), k -> new ArrayList<>()).add(l.get(0));
    }
    Set<Integer> seen = new HashSet<>(List.of(0));
    ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(0));
    while (!todo.isEmpty()) {
      for (int m : adjacent.getOrDefault(todo.poll(), List.of())) {
        if (seen.add(m)) {
          todo.add(m);
        }
      }
    }
    return seen.size() == n;
  }

  /** Writes keys {@code from..to-1}, one every 1/rate s from a random node, stamping each just before. */
  private static void write(List<SyncSocket> nodes, SplittableRandom random, int from, int to, int rate, long[] sent) {
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int w = from; w < to; w++) {
      long due = t0 + (w - from) * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) { // pacing the writer, not synchronisation
        LockSupport.parkNanos(wait);
      }
      SyncSocket node = nodes.get(random.nextInt(nodes.size()));
      sent[w] = System.nanoTime();
      writes.add(node.setAsync("w" + w, "value of write " + w));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
  }

  private static void awaitHeld(int[] held, int count, long nanos) {
    await(count + " writes on every node", () -> {
      synchronized (held) {
        for (int h : held) {
          if (h < count) {
            return false;
          }
        }
        return true;
      }
    }, nanos);
  }

  /** Waits until no node has sent a broadcast frame for 500 ms (batches flushed, grafts answered), at most 5 s. */
  private static void settle(List<SyncSocket> nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long last = transmissions(nodes);
    while (System.nanoTime() < deadline) {
      Thread.sleep(500); // an observation window, not synchronisation
      long now = transmissions(nodes);
      if (now == last) {
        return;
      }
      last = now;
    }
  }

  private static long transmissions(List<SyncSocket> nodes) {
    long sum = 0;
    for (SyncSocket s : nodes) {
      sum += s.mesh().broadcastStats().transmissions();
    }
    return sum;
  }

  private static void await(String what, java.util.function.BooleanSupplier done, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        System.err.println("  gave up waiting for " + what);
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static String table(List<Row> rows, int keys, int rate, int warmup, long seed, String loadBefore,
      Instant start) {
    StringBuilder md = new StringBuilder();
    md.append("# Broadcast trees vs flood (issue 16)\n\n");
    md.append(String.format("`bench/trees.sh --nodes %s --keys %d --rate %d --warmup %d --seed %d`: %d writes of new "
        + "keys at %d/s from random nodes after %d warm-up writes; nodes in one JVM, each wanting 4-8 links "
        + "(seeded random mesh). Transmissions: every frame the measured writes caused on every link (pushes and flood, "
        + "announcement frames, grafts, graft answers, prunes, orphan notices). Reach: from just before `setAsync` to the last node's "
        + "update event.%n%n", sizesOf(rows), keys, rate, warmup, seed, keys, rate, warmup));
    md.append("| nodes | links | mode | links cut | reach p50 ms | reach p99 ms | reach max ms | transmissions / write "
        + "| ÷ (nodes − 1) | lost | pushes + flood | ann. frames (ids) | grafts (answers) | prunes | orphan notices |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(String.format("| %d | %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %.2f | %d | %d | %d (%d) | %d (%d) | %d | %d |%n",
          r.nodes(), r.links(), r.mode(), r.cut(), r.p50Millis(), r.p99Millis(), r.maxMillis(),
          r.transmissionsPerWrite(), r.perNodeRatio(), r.lost(), r.eager() + r.flood(), r.announcementFrames(),
          r.announcedIds(), r.grafts(), r.graftAnswers(), r.prunes(), r.orphanNotices()));
    }
    md.append(String.format("%nLoad average before / after: %s / %s; %s to %s; %d cores; JVM %s.%n", loadBefore,
        Figures.load(), start, Instant.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version")));
    return md.toString();
  }

  private static String sizesOf(List<Row> rows) {
    return String.join(",", rows.stream().map(r -> String.valueOf(r.nodes())).distinct().toList());
  }
}
