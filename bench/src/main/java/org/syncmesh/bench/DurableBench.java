package org.syncmesh.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.syncmesh.sync.Durability;
import org.syncmesh.sync.SyncSocket;

/**
 * Durable-mode benchmark (bench/README.md, "Durable mode"): ONE syncmesh node, no peers, 16-byte
 * keys ({@link Gen#key}, prefix "d") and 100-byte ASCII values ({@link Gen#value}).
 *
 * <ol>
 *   <li><b>set() rate</b>, in this JVM: 8 writer threads call {@code set} on distinct keys of a
 *       fresh node, in-memory, durable PROCESS_CRASH, durable SYNC (the three interleaved in each
 *       run). Non-sync: {@code --sets} sets in all (200,000); SYNC: as many as fit in
 *       {@code --sync-s} seconds (5). Rate = sets / (last writer done - start). For SYNC also the
 *       store's syncs, read by reflection from the node's private journal (the library is not
 *       changed for this; "n/a" if the field or method is not found).</li>
 *   <li><b>Restart</b>: a durable node is filled with {@code --restart-keys} keys (1,000,000) by
 *       {@code update} batches of 10,000, closed; then each run is a fresh child JVM timing
 *       {@code new SyncSocket.Builder().dataDirectory(dir).build()} until {@code get} of a known key
 *       (the last one written) returns its value. Also the directory's size on disk.</li>
 *   <li><b>Memory</b>: each run a fresh child JVM per mode (in-memory, durable PROCESS_CRASH): used
 *       heap after {@code System.gc()} (5 times) with the node built and empty, then after writing
 *       {@code --mem-keys} keys (100,000) by update batches of 10,000; the difference per 100,000
 *       keys; and VmRSS / VmHWM from /proc/self/status after the fill.</li>
 * </ol>
 *
 * <pre>
 * java -Xmx2g -cp target/classes:bench/target/bench.jar org.syncmesh.bench.DurableBench \
 *     [--runs 3] [--sets 200000] [--sync-s 5] [--threads 8] [--restart-keys 1000000] [--mem-keys 100000]
 *     [--child-opts "-Xmx512m"] [--dir bench/target/durable-bench] [--only rate,restart,memory]
 *     [--modes memory,PROCESS_CRASH,SYNC] [--restart-opts "-Xmx2g"] [--out FILE]
 * </pre>
 */
public final class DurableBench {

  private static final String PREFIX = "d";
  private static final int VALUE_SIZE = 100;

  private DurableBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    int runs = 3;
    int sets = 200_000;
    int syncSeconds = 5;
    int threads = 8;
    int restartKeys = 1_000_000;
    int memKeys = 100_000;
    int memValueBytes = VALUE_SIZE;
    String childOpts = "-Xmx512m";
    String restartOpts = "-Xmx2g";
    Path dir = Path.of("bench/target/durable-bench");
    List<String> only = List.of("rate", "restart", "memory");
    List<String> modes = List.of("memory", "PROCESS_CRASH", "SYNC");
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--sets" -> sets = Integer.parseInt(args[++i]);
        case "--sync-s" -> syncSeconds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--restart-keys" -> restartKeys = Integer.parseInt(args[++i]);
        case "--mem-keys" -> memKeys = Integer.parseInt(args[++i]);
        case "--mem-value-bytes" -> memValueBytes = Integer.parseInt(args[++i]);
        case "--child-opts" -> childOpts = args[++i];
        case "--restart-opts" -> restartOpts = args[++i];
        case "--dir" -> dir = Path.of(args[++i]);
        case "--only" -> only = Arrays.asList(args[++i].split(","));
        case "--modes" -> modes = Arrays.asList(args[++i].split(","));
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    dir = dir.toAbsolutePath();
    Files.createDirectories(dir);
    String loadBefore = Figures.load();
    Figures figures = new Figures();
    List<String> notes = new ArrayList<>();

    if (only.contains("rate")) {
      String[] keys = new String[sets];
      String[] values = new String[sets];
      for (int i = 0; i < sets; i++) {
        keys[i] = Gen.key(PREFIX, i);
        values[i] = Gen.value(i, VALUE_SIZE);
      }
      // One short unmeasured round of each mode first: class loading, RocksDB's native library, JIT.
      System.err.println("rate: warm-up");
      for (String mode : modes) {
        rate(mode, dir.resolve("warmup-" + mode), keys, values, Math.min(sets, 20_000), 1, threads, null, null);
      }
      for (int r = 1; r <= runs; r++) {
        System.err.printf("rate: run %d of %d%n", r, runs);
        for (String mode : modes) {
          rate(mode, dir.resolve("rate-" + mode), keys, values, sets, mode.equals("SYNC") ? syncSeconds : 0, threads,
              figures, notes);
        }
      }
    }

    if (only.contains("restart")) {
      Path data = dir.resolve("restart");
      deleteTree(data);
      System.err.printf("restart: filling %,d keys%n", restartKeys);
      long t0 = System.nanoTime();
      try (SyncSocket node = new SyncSocket.Builder().maxOutgoing(0).dataDirectory(data).build()) {
        fill(node, 0, restartKeys);
      }
      double fillS = (System.nanoTime() - t0) / 1e9;
      System.err.printf("  fill + close: %.2f s%n", fillS);
      notes.add(String.format("restart: fill of %,d keys by update() batches of 10,000 plus close took %.1f s "
          + "(%,.0f keys/s; one run, in the orchestrating JVM)", restartKeys, fillS, restartKeys / fillS));
      figures.record("data directory after fill + close: MiB on disk (du)", diskMiB(data));
      figures.record("data directory after fill + close: MiB apparent (sum of file sizes)", apparentMiB(data));
      String known = Gen.key(PREFIX, restartKeys - 1);
      for (int r = 1; r <= runs; r++) {
        System.err.printf("restart: run %d of %d%n", r, runs);
        Map<String, String> res = runChild(restartOpts, List.of("restart", data.toString(), known,
            Gen.value(restartKeys - 1, VALUE_SIZE)));
        figures.record(String.format("restart with %,d keys: build() until get(known key): s", restartKeys),
            Double.parseDouble(res.get("seconds")));
        figures.record(String.format("restart with %,d keys: child JVM start to get(known key): s", restartKeys),
            Double.parseDouble(res.get("fromJvmStart")));
        figures.record("restart: CPU seconds of the child process during build() until get (all threads)",
            Double.parseDouble(res.get("cpu")));
        figures.record("restart: GC time during build() until get (collector MXBeans): s",
            Double.parseDouble(res.get("gc")));
        figures.record("restarted node size() equals keys written (1 = yes)", res.get("size").equals(
            Integer.toString(restartKeys)) ? 1 : 0);
      }
      figures.record("data directory after the restarts: MiB on disk (du)", diskMiB(data));
    }

    if (only.contains("memory")) {
      for (int r = 1; r <= runs; r++) {
        System.err.printf("memory: run %d of %d%n", r, runs);
        for (String mode : List.of("memory", "PROCESS_CRASH")) {
          Path data = dir.resolve("mem-" + mode);
          deleteTree(data);
          Map<String, String> res = runChild(childOpts, List.of("memory", mode, data.toString(), Integer.toString(memKeys),
              Integer.toString(memValueBytes)));
          String m = mode.equals("memory") ? "in-memory" : "durable";
          double perHundredK = Double.parseDouble(res.get("heapDelta")) * 100_000.0 / memKeys / (1 << 20);
          String values = memValueBytes == VALUE_SIZE ? "" : String.format(" (values of %,d B)", memValueBytes);
          figures.record(m + ": heap after full GC, filled - empty node, per 100,000 keys" + values + ": MiB",
              perHundredK);
          figures.record(String.format("%s: VmRSS after %,d keys: MiB", m, memKeys),
              Double.parseDouble(res.get("rssKb")) / 1024);
          figures.record(String.format("%s: VmHWM (peak RSS) after %,d keys: MiB", m, memKeys),
              Double.parseDouble(res.get("hwmKb")) / 1024);
          figures.record(String.format("%s: VmRSS of the empty node (before the fill): MiB", m),
              Double.parseDouble(res.get("rssEmptyKb")) / 1024);
        }
      }
    }

    StringBuilder md = new StringBuilder(figures.table());
    md.append('\n');
    for (String n : notes) {
      md.append("- ").append(n).append('\n');
    }
    md.append(String.format("%n%d writer threads; %d runs; keys 16 B, values %d B; child JVM options: memory `%s`, restart `%s`;"
        + " this JVM: `%s`; load average before / after: %s / %s; %s%n", threads, runs, VALUE_SIZE, childOpts, restartOpts,
        String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()), loadBefore, Figures.load(), Instant.now()));
    System.out.print(md);
    if (out != null) {
      Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------- set() rate

  /**
   * {@code threads} writers call set() on a fresh node: keys [0, total) split in contiguous slices;
   * with {@code seconds > 0} a writer also stops once that much time has passed.
   */
  private static void rate(String mode, Path data, String[] keys, String[] values, int total, int seconds, int threads,
      Figures figures, List<String> notes) throws Exception {
    SyncSocket.Builder b = new SyncSocket.Builder().maxOutgoing(0);
    if (!mode.equals("memory")) {
      deleteTree(data);
      b.dataDirectory(data).durability(Durability.valueOf(mode));
    }
    try (SyncSocket node = b.build()) {
      long syncsBefore = syncs(node);
      long batchesBefore = batches(node);
      long cpuBefore = processCpuNanos();
      AtomicLong done = new AtomicLong();
      long deadline = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
      Thread[] ws = new Thread[threads];
      int slice = (total + threads - 1) / threads;
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int from = t * slice;
        int to = Math.min(total, from + slice);
        ws[t] = new Thread(() -> {
          int n = 0;
          for (int i = from; i < to; i++) {
            node.set(keys[i], values[i]);
            n++;
            if ((n & 15) == 0 && System.nanoTime() > deadline) {
              break;
            }
          }
          done.addAndGet(n);
        }, "writer-" + t);
        ws[t].start();
      }
      for (Thread w : ws) {
        w.join();
      }
      double s = (System.nanoTime() - start) / 1e9;
      long n = done.get();
      long syncs = syncs(node) - syncsBefore;
      long batches = batches(node) - batchesBefore;
      double cpu = (processCpuNanos() - cpuBefore) / 1e9;
      if (figures == null) {
        return; // warm-up
      }
      if (node.size() != n) {
        throw new IllegalStateException(mode + ": node holds " + node.size() + " keys, writers wrote " + n);
      }
      String m = mode.equals("memory") ? "in-memory" : "durable " + mode;
      String how = seconds > 0 ? String.format("~%d s", seconds) : String.format("%,d sets", total);
      figures.record(String.format("set() rate, %d writers, %s, %s: sets/s", threads, m, how), n / s);
      figures.record(String.format("%s: process CPU per set (all threads, incl. JIT and GC): µs", m), cpu / n * 1e6);
      if (batchesBefore >= 0) {
        figures.record(String.format("%s: sets per RocksDB write batch (WRITE_DONE_BY_SELF)", m),
            batches == 0 ? 0 : (double) n / batches);
      }
      if (mode.equals("SYNC")) {
        figures.record("SYNC: sets in the run", n);
        if (syncsBefore >= 0) {
          figures.record("SYNC: store syncs in the run", syncs);
          figures.record("SYNC: sets per sync", syncs == 0 ? 0 : (double) n / syncs);
          figures.record("SYNC: syncs/s", syncs / s);
        } else if (notes.stream().noneMatch(x -> x.startsWith("SYNC: the sync count"))) {
          notes.add("SYNC: the sync count is not available (the journal's private field was not found by reflection)");
        }
      }
    }
  }

  /**
   * The store's sync count, read from the node's private {@code journal} field and the
   * package-private {@code Journal.syncs()} by reflection (classpath, unnamed module: allowed), so
   * that the library needs no public accessor for a benchmark. -1 if not found.
   */
  private static long syncs(SyncSocket node) {
    try {
      Object journal = field(node, SyncSocket.class, "journal");
      if (journal == null) {
        return -1;
      }
      Method m = journal.getClass().getDeclaredMethod("syncs");
      m.setAccessible(true);
      return (Long) m.invoke(journal);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * RocksDB's count of write batches the journal made (ticker WRITE_DONE_BY_SELF: writes done by
   * the calling thread, the journal's only one), read by reflection from the store's private
   * {@code statistics} as {@link #syncs}. -1 if not found.
   */
  private static long batches(SyncSocket node) {
    try {
      Object journal = field(node, SyncSocket.class, "journal");
      if (journal == null) {
        return -1;
      }
      Object store = field(journal, journal.getClass(), "kv");
      Object statistics = field(store, store.getClass(), "statistics");
      return ((org.rocksdb.Statistics) statistics).getTickerCount(org.rocksdb.TickerType.WRITE_DONE_BY_SELF);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return -1;
    }
  }

  /** The value of {@code owner}'s private field {@code name}, declared in {@code type}. */
  private static Object field(Object owner, Class<?> type, String name) throws ReflectiveOperationException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(owner);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long gcMillis() {
    long t = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
  }

  // ---------------------------------------------------------------- child JVMs

  private static Map<String, String> runChild(String jvmOpts, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DurableBench.class.getName());
    cmd.add("--child");
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Map<String, String> result = new LinkedHashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          result.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
    }
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("child timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("child failed (" + p.exitValue() + "): " + cmd);
    }
    return result;
  }

  private static void child(String[] args) throws Exception {
    switch (args[1]) {
      case "restart" -> {
        Path data = Path.of(args[2]);
        String key = args[3];
        String expected = args[4];
        long gc0 = gcMillis();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try (SyncSocket node = new SyncSocket.Builder().maxOutgoing(0).dataDirectory(data).build()) {
          Object v = node.get(key).orElse(null);
          long t1 = System.nanoTime();
          System.out.println("cpu=" + (processCpuNanos() - cpu0) / 1e9);
          System.out.println("gc=" + (gcMillis() - gc0) / 1e3);
          if (!expected.equals(v)) {
            throw new IllegalStateException("restart: get(" + key + ") returned " + v);
          }
          double fromJvmStart = (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
          System.out.println("seconds=" + (t1 - t0) / 1e9);
          System.out.println("fromJvmStart=" + fromJvmStart);
          System.out.println("size=" + node.size());
        }
      }
      case "memory" -> {
        String mode = args[2];
        Path data = Path.of(args[3]);
        int n = Integer.parseInt(args[4]);
        int valueBytes = args.length > 5 ? Integer.parseInt(args[5]) : VALUE_SIZE;
        SyncSocket.Builder b = new SyncSocket.Builder().maxOutgoing(0);
        if (!mode.equals("memory")) {
          b.dataDirectory(data).durability(Durability.valueOf(mode));
        }
        try (SyncSocket node = b.build()) {
          node.set("warm", "up"); // code paths loaded before the baseline
          node.del("warm");
          long empty = usedHeapAfterGc();
          long rssEmpty = status("VmRSS");
          fill(node, 0, n, valueBytes);
          long full = usedHeapAfterGc();
          System.out.println("heapDelta=" + (full - empty));
          System.out.println("rssKb=" + status("VmRSS"));
          System.out.println("hwmKb=" + status("VmHWM"));
          System.out.println("rssEmptyKb=" + rssEmpty);
          System.out.println("size=" + node.size());
        }
      }
      default -> throw new IllegalArgumentException("unknown child mode " + args[1]);
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- helpers

  /** Writes keys [from, to) by update() batches of 10,000. */
  private static void fill(SyncSocket node, int from, int to) {
    fill(node, from, to, VALUE_SIZE);
  }

  private static void fill(SyncSocket node, int from, int to, int valueBytes) {
    int step = Math.max(1, Math.min(10_000, (8 << 20) / valueBytes));
    for (int start = from; start < to; start += step) {
      Map<String, String> batch = new LinkedHashMap<>();
      for (int i = start; i < Math.min(to, start + step); i++) {
        batch.put(Gen.key(PREFIX, i), Gen.value(i, valueBytes));
      }
      node.update(batch);
    }
  }

  private static double diskMiB(Path dir) throws Exception {
    Process p = new ProcessBuilder("du", "-sk", dir.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return Long.parseLong(out.split("\\s+")[0]) / 1024.0;
  }

  private static double apparentMiB(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum() / (1024.0 * 1024.0);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

}
