package org.syncmesh.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a command-line node costs in memory to hold K keys (issue 16's (d)), for each set of JVM
 * options given, interleaved run by run: a fresh {@code syncmesh node --json}, started as
 * {@code bin/syncmesh} starts it ({@link LauncherOptions}) with the set given as its
 * SYNCMESH_JAVA_OPTS, connects to a seed holding K keys (a bench {@link SmNode} that wrote them
 * with {@code bulkset}) and receives them all by initial sync. Reported per set: the joiner's peak
 * RSS (VmHWM) once it holds them, its CPU seconds and the time from {@code connect} to all keys.
 * No arrival events are recorded, so the figure is the node's own.
 *
 * <pre>
 * java -cp bench/target/bench.jar org.syncmesh.bench.JoinerMemory [--keys 100000] [--runs 3] OPTIONS...
 * </pre>
 *
 * Each OPTIONS is one argument ({@code ""}: the launcher's defaults alone; {@code "-XX:+UseG1GC"}:
 * G1 instead of the launcher's collector). Run from the repository's root; node logs go to
 * bench/results/tmp/joiner-memory.log.
 */
public final class JoinerMemory {

  public static void main(String[] args) throws Exception {
    int keys = 100_000;
    int runs = 3;
    List<String> sets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> sets.add(args[i]);
      }
    }
    if (sets.isEmpty()) {
      throw new IllegalArgumentException("usage: JoinerMemory [--keys N] [--runs N] OPTIONS...");
    }
    Path repo = Path.of("").toAbsolutePath();
    Path jar = repo.resolve("syncmesh-cli/target/syncmesh.jar");
    Path log = repo.resolve("bench/results/tmp/joiner-memory.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    double[][] mib = new double[sets.size()][runs];
    double[][] cpu = new double[sets.size()][runs];
    double[][] seconds = new double[sets.size()][runs];
    for (int r = 0; r < runs; r++) {
      for (int s = 0; s < sets.size(); s++) {
        List<String> seedCommand = List.of(java, "-Xmx1g", "-cp", classpath, SmNode.class.getName(), "--ttl-s", "600",
            "--host", "127.0.0.1", "--port", "0");
        List<String> joinerCommand = new ArrayList<>(List.of(java));
        joinerCommand.addAll(LauncherOptions.of(repo, jar, Bench.split(sets.get(s))));
        joinerCommand.addAll(List.of("-jar", jar.toString(), "node", "--json", "--host", "127.0.0.1", "--port", "0"));
        try (Child seed = Child.start("seed", seedCommand, log, 30_000);
            Child joiner = Child.start("joiner", joinerCommand, log, 30_000)) {
          seed.call(String.format(Locale.ROOT, "bulkset %d k 100", keys), 300_000);
          long t0 = System.nanoTime();
          joiner.call("connect 127.0.0.1 " + seed.port(), 30_000);
          joiner.call("waitkeys " + keys + " 120000", 130_000);
          seconds[s][r] = (System.nanoTime() - t0) / 1e9;
          Child.ProcStats stats = joiner.stats(100); // Linux's USER_HZ
          mib[s][r] = stats.peakRssBytes() / 1048576.0;
          cpu[s][r] = stats.cpuSeconds();
        }
      }
    }
    for (int s = 0; s < sets.size(); s++) {
      System.out.printf(Locale.ROOT, "[%s] K=%,d: joiner's peak RSS %s MiB, CPU %s s, connect to all keys %s s%n",
          sets.get(s), keys, summary(mib[s], "%.1f"), summary(cpu[s], "%.2f"), summary(seconds[s], "%.3f"));
    }
  }

  /** Median (min–max) and every run, in run order. */
  private static String summary(double[] values, String format) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    StringBuilder runs = new StringBuilder();
    for (double v : values) {
      runs.append(runs.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, format, v));
    }
    return String.format(Locale.ROOT, format + " (" + format + "–" + format + "; runs %s)", sorted[sorted.length / 2],
        sorted[0], sorted[sorted.length - 1], runs);
  }

  private JoinerMemory() {}
}
