package org.syncmesh.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A command-line node's first link (issue 16): how long a fresh {@code syncmesh node --json}
 * takes, from its {@code connect} to a node holding K keys until it holds them all ({@code
 * waitkeys}), with each class-data-sharing archive given, interleaved run by run. Both nodes are
 * processes of the packaged jar started with the archive under test; the joiner is listening
 * before the clock starts, as in bench/run.sh's (c).
 *
 * <pre>
 * java -cp bench/target/bench.jar org.syncmesh.bench.FirstLink [--keys 100] [--runs 7] ARCHIVE...
 * </pre>
 *
 * An ARCHIVE is a {@code .jsa} made from {@code syncmesh-cli/target/syncmesh.jar} at that path
 * ({@code none}: no archive). Node logs go to bench/results/tmp/firstlink.log.
 */
public final class FirstLink {

  public static void main(String[] args) throws Exception {
    int keys = 100;
    int runs = 7;
    List<String> archives = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> archives.add(args[i]);
      }
    }
    if (archives.isEmpty()) {
      throw new IllegalArgumentException("usage: FirstLink [--keys N] [--runs N] ARCHIVE|none...");
    }
    Path jar = Path.of("syncmesh-cli/target/syncmesh.jar").toAbsolutePath();
    Path log = Path.of("bench/results/tmp/firstlink.log");
    double[][] seconds = new double[archives.size()][runs];
    for (int r = 0; r < runs; r++) {
      for (int a = 0; a < archives.size(); a++) {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-Xlog:disable", "-Xlog:all=warning:stderr"));
        if (!archives.get(a).equals("none")) {
          command.add("-Xshare:on"); // an archive that does not fit fails the run instead of timing no archive
          command.add("-XX:SharedArchiveFile=" + archives.get(a));
        }
        command.addAll(List.of("-jar", jar.toString(), "node", "--json", "--host", "127.0.0.1", "--port", "0"));
        try (Child seed = Child.start("seed", command, log, 30_000); Child joiner = Child.start("joiner", command, log,
            30_000)) {
          for (int i = 0; i < keys; i++) {
            seed.call("set " + Gen.key("k", i) + " \"" + Gen.value(i, 100) + "\"", 10_000);
          }
          long t0 = System.nanoTime();
          joiner.call("connect 127.0.0.1 " + seed.port(), 30_000);
          joiner.call("waitkeys " + keys + " 60000", 70_000);
          seconds[a][r] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    for (int a = 0; a < archives.size(); a++) {
      double[] s = seconds[a].clone();
      Arrays.sort(s);
      StringBuilder all = new StringBuilder();
      for (double v : seconds[a]) {
        all.append(String.format(Locale.ROOT, " %.3f", v));
      }
      System.out.printf(Locale.ROOT, "%s: K=%,d, first link to all keys, median %.3f s (min %.3f, max %.3f); runs:%s%n",
          archives.get(a), keys, s[s.length / 2], s[0], s[s.length - 1], all);
    }
  }

  private FirstLink() {}
}
