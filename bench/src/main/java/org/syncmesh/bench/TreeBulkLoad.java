package org.syncmesh.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.syncmesh.mesh.BroadcastStats;
import org.syncmesh.sync.PeerSyncState;
import org.syncmesh.sync.SyncSocket;

/**
 * A bulk load into a mesh (issue 16): n syncmesh nodes in one JVM, linked as {@link TreeBench}
 * links them (the same seeded {@link MeshPlan}), node 0 writing K new keys with {@code set} as
 * fast as its back-pressure lets it. Measures the time until node 0 has written them all and until
 * every node holds them, how many the slowest node held when the writer finished, what came by
 * anti-entropy meanwhile, and every frame the load caused, for the flood and for broadcast trees.
 * With {@code --anti-entropy 0} (the default) rounds run only when a link comes up, so a broadcast
 * the tree loses is never delivered and the run reports the keys missing after {@code --limit}
 * seconds; give the interval in ms to see how the default repairs it.
 *
 * <pre>java -cp bench/target/bench.jar org.syncmesh.bench.TreeBulkLoad [--nodes 10] [--keys 100000]
 *     [--modes flood,tree] [--runs 1] [--seed 1] [--anti-entropy 0] [--limit 120] [--out FILE]</pre>
 */
public final class TreeBulkLoad {

  private static final int VALUE_BYTES = 100;

  record Row(int nodes, int links, String mode, int keys, double writeSeconds, double everywhereSeconds,
      int heldBySlowestAtWriteEnd, int missingAtEnd, long antiEntropyEntries, double transmissionsPerWrite,
      long pushes, long announcementFrames, long grafts, long graftAnswers, long prunes, long refused) {}

  private TreeBulkLoad() {}

  public static void main(String[] args) throws Exception {
    int n = 10;
    int keys = 100_000;
    List<String> modes = List.of("flood", "tree");
    int runs = 1;
    long seed = 1;
    long antiEntropyMillis = 0;
    int limitSeconds = 120;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> n = Integer.parseInt(args[++i]);
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--modes" -> modes = List.of(args[++i].split(","));
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--anti-entropy" -> antiEntropyMillis = Long.parseLong(args[++i]);
        case "--limit" -> limitSeconds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String loadBefore = Figures.load();
    Instant start = Instant.now();
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      for (String mode : modes) { // alternated, so that a noisy minute falls on both
        Row row = run(n, mode.equals("tree"), keys, seed, antiEntropyMillis, limitSeconds);
        System.err.println("  " + row);
        rows.add(row);
      }
    }
    String md = table(rows, String.join(" ", args), loadBefore, start);
    System.out.print(md);
    if (out != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md, StandardCharsets.UTF_8);
      System.err.println("wrote " + out);
    }
  }

  private static Row run(int n, boolean trees, int keys, long seed, long antiEntropyMillis, int limitSeconds)
      throws Exception {
    System.err.printf("n=%d %s, %d keys%n", n, trees ? "tree" : "flood", keys);
    AtomicIntegerArray held = new AtomicIntegerArray(n);
    List<SyncSocket> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        int index = i;
        SyncSocket s = new SyncSocket.Builder().leasing(false).maxOutgoing(0).reconnect(false)
            .antiEntropyInterval(antiEntropyMillis > 0 ? Duration.ofMillis(antiEntropyMillis) : Duration.ofHours(1))
            .broadcastTrees(trees).callbackExecutor(Runnable::run).build();
        s.onUpdate((key, old, value) -> held.incrementAndGet(index));
        nodes.add(s);
      }
      int links = TreeBench.mesh(nodes, new SplittableRandom(seed * 1_000_003L + n)).size();
      long aeBefore = antiEntropyEntries(nodes);
      BroadcastStats[] before = nodes.stream().map(s -> s.mesh().broadcastStats()).toArray(BroadcastStats[]::new);
      char[] filler = new char[VALUE_BYTES];
      Arrays.fill(filler, 'v');
      String value = new String(filler);
      SyncSocket writer = nodes.get(0);
      long t0 = System.nanoTime();
      for (int k = 0; k < keys; k++) {
        writer.set(String.format("k%09d", k), value);
      }
      long written = System.nanoTime();
      int slowest = minimum(held, n);
      long deadline = written + TimeUnit.SECONDS.toNanos(limitSeconds);
      while (minimum(held, n) < keys && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      long everywhere = System.nanoTime();
      int missing = keys - minimum(held, n);
      BroadcastStats sum = TreeBench.sinceBefore(nodes, before);
      return new Row(n, links, trees ? "tree" : "flood", keys, (written - t0) / 1e9,
          missing == 0 ? (everywhere - t0) / 1e9 : Double.NaN, slowest, missing, antiEntropyEntries(nodes) - aeBefore,
          sum.transmissions() / (double) keys, sum.eagerPushes() + sum.floodSends(), sum.announcementFrames(),
          sum.graftsSent(), sum.graftAnswers(), sum.prunesSent(), sum.refused());
    } finally {
      for (SyncSocket s : nodes) {
        s.close();
      }
    }
  }

  private static int minimum(AtomicIntegerArray held, int n) {
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      min = Math.min(min, held.get(i));
    }
    return min;
  }

  private static long antiEntropyEntries(List<SyncSocket> nodes) {
    long sum = 0;
    for (SyncSocket s : nodes) {
      for (PeerSyncState p : s.peerSync().values()) {
        sum += p.entriesReceived();
      }
    }
    return sum;
  }

  private static String table(List<Row> rows, String args, String loadBefore, Instant start) {
    StringBuilder md = new StringBuilder();
    md.append("# A bulk load into a mesh: broadcast trees vs flood (issue 16)\n\n");
    md.append("`java -cp bench/target/bench.jar org.syncmesh.bench.TreeBulkLoad ").append(args).append("`: node 0 "
        + "writes every key with `set` as fast as it can, nodes in one JVM, linked as `TreeBench` links them. "
        + "Everywhere: from the first write until every node holds every key (n/a: some were still missing at the "
        + "limit). Transmissions: every broadcast frame the load caused, on every link.\n\n");
    md.append("| nodes | links | mode | keys | written, s | everywhere, s | slowest node held when written | missing at "
        + "the end | anti-entropy entries | transmissions / write | pushes + flood | ann. frames | grafts (answers) "
        + "| prunes | refused |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(String.format("| %d | %d | %s | %d | %.2f | %s | %d | %d | %d | %.1f | %d | %d | %d (%d) | %d | %d |%n",
          r.nodes(), r.links(), r.mode(), r.keys(), r.writeSeconds(),
          Double.isNaN(r.everywhereSeconds()) ? "n/a" : String.format("%.2f", r.everywhereSeconds()),
          r.heldBySlowestAtWriteEnd(), r.missingAtEnd(), r.antiEntropyEntries(), r.transmissionsPerWrite(),
          r.pushes(), r.announcementFrames(), r.grafts(), r.graftAnswers(), r.prunes(), r.refused()));
    }
    md.append(String.format("%nLoad average before / after: %s / %s; %s to %s; %d cores; JVM %s.%n", loadBefore,
        Figures.load(), start, Instant.now(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version")));
    return md.toString();
  }
}
