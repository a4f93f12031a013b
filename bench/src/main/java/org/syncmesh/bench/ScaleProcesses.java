package org.syncmesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 16's scale harness with every node its own process: n nodes ({@code syncmesh node --json
 * --max-outgoing 0} started as {@code bin/syncmesh} starts them, {@link LauncherOptions}; node 0 is
 * a bench {@link SmNode}, the library in a bench JVM, which can load many keys at once), linked as
 * {@link TreeBench} links its in-process nodes ({@link MeshPlan}: a seeded random mesh where each
 * node wants 4–8 links). For each n:
 *
 * <ol>
 *   <li><b>Reach</b>: after {@code --warmup} writes (not measured), {@code --writes} writes of new keys
 *       at {@code --rate} per second, each a {@code set} sent to a random node; a write's reach is from
 *       just before its command is sent to the last other node's update event (CLOCK_MONOTONIC, shared by
 *       the processes); p50, p99, max, and writes some node never received.
 *   <li><b>Bulk</b>: node 0 writes {@code --keys} keys as fast as its API allows; the time until every
 *       node holds them.
 *   <li><b>Joiners</b>: a fresh command-line node connects to one random node, then another to four,
 *       and each is timed from {@code connect} until it holds every key.
 * </ol>
 *
 * Also reported: the largest peak RSS among the command-line nodes, and the CPU seconds of all the
 * mesh's nodes (joiners left out). Writes a Markdown table and a PNG plot against n beside it.
 *
 * <pre>
 * java -cp bench/target/bench.jar org.syncmesh.bench.ScaleProcesses [--nodes 10,30] [--warmup 200]
 *     [--writes 500] [--rate 50] [--keys 100000] [--seed 1] [--node-opts "OPTIONS"] [--out FILE]
 * </pre>
 *
 * Run from the repository's root after a build; node logs go to bench/results/tmp/scale-processes.log.
 * {@code --node-opts} are added to every command-line node's JVM options, as SYNCMESH_JAVA_OPTS.
 */
public final class ScaleProcesses {

  private static final int VALUE_SIZE = 100;
  private static final long CALL_MS = 60_000;

  private final Path repo = Path.of("").toAbsolutePath();
  private final Path jar = repo.resolve("syncmesh-cli/target/syncmesh.jar");
  private final Path log = repo.resolve("bench/results/tmp/scale-processes.log");
  private final String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private int[] counts = {10, 30};
  private int warmup = 200;
  private int writes = 500;
  private double rate = 50;
  private int keys = 100_000;
  private long seed = 1;
  private List<String> nodeOpts = List.of();
  private Path out = repo.resolve("bench/results/" + LocalDate.now() + "-scale-processes.md");

  private ScaleProcesses() {}

  /** One node count's figures. */
  record Row(int nodes, int links, double reachP50, double reachP99, double reachMax, int lost, double bulkSeconds,
      double joinOneSeconds, double joinFourSeconds, double largestRssMib, double cpuSeconds) {}

  public static void main(String[] args) throws Exception {
    ScaleProcesses s = new ScaleProcesses();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--nodes" -> s.counts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--warmup" -> s.warmup = Integer.parseInt(args[++i]);
        case "--writes" -> s.writes = Integer.parseInt(args[++i]);
        case "--rate" -> s.rate = Double.parseDouble(args[++i]);
        case "--keys" -> s.keys = Integer.parseInt(args[++i]);
        case "--seed" -> s.seed = Long.parseLong(args[++i]);
        case "--node-opts" -> s.nodeOpts = Bench.split(args[++i]);
        case "--out" -> s.out = Path.of(args[++i]).toAbsolutePath();
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class's javadoc)");
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(Child::killAll));
    List<Row> rows = new ArrayList<>();
    String started = Instant.now().toString();
    for (int n : s.counts) {
      Row row = s.run(n);
      System.out.println(row);
      rows.add(row);
    }
    s.write(rows, started);
  }

  private Row run(int n) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    List<Child> nodes = new ArrayList<>();
    try {
      nodes.add(Child.start("scale-0", List.of(javaCommand, "-Xmx1g", "-XX:+UseSerialGC", "-cp",
          System.getProperty("java.class.path"), SmNode.class.getName(), "--ttl-s", "1800", "--host", "127.0.0.1",
          "--port", "0"), log, 60_000));
      for (int i = 1; i < n; i++) {
        nodes.add(commandLineNode("scale-" + i));
      }
      int links = mesh(nodes, random);
      for (Child c : nodes) {
        c.call("events on", CALL_MS);
      }
      paced(nodes, random, "w", warmup);
      awaitCount(nodes, warmup);
      long[] sends = paced(nodes, random, "m", writes);
      awaitCount(nodes, warmup + writes);
      List<Double> reach = new ArrayList<>();
      int lost = reach(nodes, sends, reach);
      for (Child c : nodes) {
        c.call("events off", CALL_MS); // the bulk load's arrivals are not wanted
      }

      Child loader = nodes.get(0);
      long t0 = System.nanoTime();
      loader.call(String.format(Locale.ROOT, "bulkset %d k %d", keys, VALUE_SIZE), 600_000);
      int total = warmup + writes + keys;
      awaitCount(nodes, total);
      double bulk = (System.nanoTime() - t0) / 1e9;

      double joinOne = join(nodes, random, 1, total);
      double joinFour = join(nodes, random, Math.min(4, n), total);

      double largest = 0;
      double cpu = 0;
      for (Child c : nodes) {
        Child.ProcStats stats = c.stats(100); // Linux's USER_HZ
        if (c != loader) { // the command-line nodes' memory: node 0 is the bench's
          largest = Math.max(largest, stats.peakRssBytes() / 1048576.0);
        }
        cpu += stats.cpuSeconds();
      }
      double[] sorted = reach.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Row(n, links, Bench.percentile(sorted, 0.50), Bench.percentile(sorted, 0.99),
          sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], lost, bulk, joinOne, joinFour, largest, cpu);
    } finally {
      for (Child c : nodes) {
        c.close();
      }
    }
  }

  private Child commandLineNode(String name) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaCommand));
    command.addAll(LauncherOptions.of(repo, jar, nodeOpts));
    command.addAll(List.of("-jar", jar.toString(), "node", "--json", "--max-outgoing", "0", "--host", "127.0.0.1",
        "--port", "0"));
    return Child.start(name, command, log, 60_000);
  }

  /** Links the nodes as {@link MeshPlan} plans; returns the number of links, once every node has all of its. */
  private static int mesh(List<Child> nodes, SplittableRandom random) {
    int n = nodes.size();
    int[] degree = new int[n];
    List<int[]> links = MeshPlan.links(n, random);
    for (int[] l : links) {
      nodes.get(l[0]).call("connect 127.0.0.1 " + nodes.get(l[1]).port(), CALL_MS);
      degree[l[0]]++;
      degree[l[1]]++;
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (int i = 0; i < n; i++) {
      while (Json.list(nodes.get(i).call("peers", CALL_MS)).size() < degree[i]) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("node " + i + " did not get its " + degree[i] + " links within 60 s");
        }
        LockSupport.parkNanos(20_000_000);
      }
    }
    return links.size();
  }

  /** {@code count} writes of keys PREFIX0…, one every 1/rate s, each to a random node; their send times. */
  private long[] paced(List<Child> nodes, SplittableRandom random, String prefix, int count) {
    long interval = (long) (1e9 / rate);
    long[] sends = new long[count];
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long target = start + i * interval;
      for (long now = System.nanoTime(); now < target; now = System.nanoTime()) {
        LockSupport.parkNanos(Math.min(target - now, 1_000_000));
      }
      Child writer = nodes.get(random.nextInt(nodes.size()));
      sends[i] = System.nanoTime();
      writer.call("set " + Gen.key(prefix, i) + " \"" + Gen.value(i, VALUE_SIZE) + "\"", CALL_MS);
    }
    return sends;
  }

  private static void awaitCount(List<Child> nodes, int count) {
    for (Child c : nodes) {
      c.call("waitkeys " + count + " 600000", 610_000);
    }
  }

  /** Adds each measured write's reach (ms) to {@code out}; returns how many writes some node never reported. */
  private static int reach(List<Child> nodes, long[] sends, List<Double> out) {
    long[] last = new long[sends.length];
    int[] seen = new int[sends.length];
    for (Child c : nodes) {
      for (Object e : Json.list(c.call("arrivals", CALL_MS))) {
        int i = Gen.index("m", Json.text(e, "key"));
        if (i >= 0 && i < sends.length) {
          last[i] = Math.max(last[i], (long) Json.number(e, "t_ns"));
          seen[i]++;
        }
      }
    }
    int lost = 0;
    for (int i = 0; i < sends.length; i++) {
      if (seen[i] < nodes.size() - 1) { // every node but the writer, whose own write is no arrival
        lost++;
      } else {
        out.add((last[i] - sends[i]) / 1e6);
      }
    }
    return lost;
  }

  /** A fresh command-line node connects to {@code links} random nodes at once; seconds until it holds {@code total} keys. */
  private double join(List<Child> nodes, SplittableRandom random, int links, int total) throws IOException {
    try (Child joiner = commandLineNode("scale-joiner-" + links)) {
      List<Integer> targets = new ArrayList<>();
      while (targets.size() < links) {
        int t = random.nextInt(nodes.size());
        if (!targets.contains(t)) {
          targets.add(t);
        }
      }
      long t0 = System.nanoTime();
      for (int t : targets) {
        joiner.call("connect 127.0.0.1 " + nodes.get(t).port(), CALL_MS);
      }
      joiner.call("waitkeys " + total + " 300000", 310_000);
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private void write(List<Row> rows, String started) throws IOException {
    Path png = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".png");
    StringBuilder md = new StringBuilder("# Scale in processes (issue 16)\n\n");
    md.append(String.format(Locale.ROOT, "`java -cp bench/target/bench.jar org.syncmesh.bench.ScaleProcesses --nodes %s"
        + " --warmup %d --writes %d --rate %s --keys %d --seed %d%s`: every node its own process (node 0 a bench"
        + " SmNode, the others `syncmesh node --json --max-outgoing 0` with the launcher's JVM options%s), a seeded"
        + " random mesh where each node wants 4–8 links. Reach: from just before a `set` is sent to a random node to"
        + " the last other node's update event. Bulk: node 0 writes %,d keys of %d-byte values; until every node holds"
        + " them. Joiners: a fresh node connects to 1, then another to 4 random nodes; until it holds every key."
        + " Started %s; %d cores; JVM %s.\n\n",
        Arrays.toString(counts).replaceAll("[\\[\\] ]", ""), warmup, writes, plainRate(), keys, seed,
        nodeOpts.isEmpty() ? "" : " --node-opts \"" + String.join(" ", nodeOpts) + "\"",
        nodeOpts.isEmpty() ? "" : " plus " + String.join(" ", nodeOpts), keys, VALUE_SIZE, started,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version")));
    md.append("| nodes | links | reach p50 ms | reach p99 ms | reach max ms | lost | bulk to every node, s |"
        + " joiner, 1 link, s | joiner, 4 links, s | largest peak RSS of a command-line node, MiB | CPU of the nodes, s |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %d | %.2f | %.3f | %.3f | %.0f | %.1f |%n",
          r.nodes(), r.links(), r.reachP50(), r.reachP99(), r.reachMax(), r.lost(), r.bulkSeconds(),
          r.joinOneSeconds(), r.joinFourSeconds(), r.largestRssMib(), r.cpuSeconds()));
    }
    md.append("\nPlot: [").append(png.getFileName()).append("](").append(png.getFileName()).append(")\n");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
    ScalePlot.write(rows, png);
    System.out.println("results written to " + out + " and " + png);
  }

  private String plainRate() {
    return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
  }
}
