package org.syncmesh.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;

/**
 * The cross-system benchmark (issue 6): the same scenarios on syncmesh, js2p 0.7.870 and
 * Hazelcast 5.7 ReplicatedMap, every node a separate OS process on 127.0.0.1, on a line A—B—C.
 * See bench/README.md. Run through bench/run.sh; {@code --help} lists the options.
 */
public final class Bench {

  enum Sys {
    SYNCMESH("syncmesh"), SYNCMESH_SECURE("syncmesh-secure"), SYNCMESH_PAGE("syncmesh-page"), JS2P("js2p"),
    HAZELCAST("Hazelcast");

    final String label;

    Sys(String label) {
      this.label = label;
    }
  }

  // ---- options -------------------------------------------------------------------------------------
  private boolean quick;
  private int runs = 3;
  private final List<Sys> systems = new ArrayList<>(List.of(Sys.SYNCMESH, Sys.JS2P, Sys.HAZELCAST));
  private Path repo = Path.of(".").toAbsolutePath().normalize();
  private Path benchJar;
  private Path out;
  private Path logs;
  private long budgetS = 19 * 60;
  private String jvmOpts = "-Xmx256m";
  /** The share of CPU time the machine's hypervisor gave other guests during the suite (see {@link #stolenSince}). */
  private String suiteStolen = "unknown";
  /** Command-line nodes' options after the launcher's own, as SYNCMESH_JAVA_OPTS is for bin/syncmesh. */
  private String cliJvmOpts = "";
  private boolean syncmeshCli;
  private boolean js2p100k;
  private int[] ks = {10_000, 100_000};
  private int[] js2pKs = {10_000};
  private int pacedN = 2_000;
  private double pacedIntervalMs = 5;
  private int valueSize = 100;
  /**
   * Keys written before (b)'s measured ones; -1: per system, {@link #JVM_WARMUP} for the Java
   * ones (their JIT compilers are still busy after a few hundred) and {@link #JS2P_WARMUP} for
   * js2p (whose linearly scanned list of recent broadcasts a long warm-up would slow).
   */
  private int warmup = -1;
  /** Bulk rounds after the first warm one (--more-warm-rounds): how far a line is from steady state. */
  private int moreWarmRounds = 0;
  static final int JVM_WARMUP = 20_000;
  static final int JS2P_WARMUP = 500;
  private static final long SETTLE_MS = 1_000;

  private long deadlineNs;
  private Path certDir;
  private NodeCertificates.Issued ca;
  private long clockTicks = 100;
  private final long startedNs = System.nanoTime();

  // ---- results: row -> system -> values of the runs; notes -> row/system -> text ------------------
  private final Map<String, Map<Sys, List<Double>>> results = new LinkedHashMap<>();
  private final Map<String, Map<Sys, String>> cellNotes = new LinkedHashMap<>();
  private final List<String> log = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> notRun = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    Bench b = new Bench();
    if (!b.parse(args)) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(Child::killAll, "kill-children"));
    int status = 0;
    try {
      b.runAll();
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    } finally {
      Child.killAll();
    }
    System.exit(status);
  }

  private boolean parse(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--systems" -> {
          systems.clear();
          for (String s : args[++i].split(",")) {
            systems.add(Sys.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
          }
        }
        case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--jar" -> benchJar = Path.of(args[++i]).toAbsolutePath();
        case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
        case "--logs" -> logs = Path.of(args[++i]).toAbsolutePath();
        case "--budget-s" -> budgetS = Long.parseLong(args[++i]);
        case "--jvm-opts" -> jvmOpts = args[++i];
        case "--cli-jvm-opts" -> cliJvmOpts = args[++i];
        case "--syncmesh-cli" -> syncmeshCli = true;
        case "--page-client" -> {
          pageClient = args[++i];
          if (!List.of("browser", "http", "none").contains(pageClient)) {
            throw new IllegalArgumentException("--page-client: browser, http or none, not " + pageClient);
          }
        }
        case "--js2p-100k" -> js2p100k = true;
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--more-warm-rounds" -> moreWarmRounds = Integer.parseInt(args[++i]);
        case "--k" -> ks = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--js2p-k" -> js2pKs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--paced" -> pacedN = Integer.parseInt(args[++i]);
        case "--help", "-h" -> {
          System.out.println("usage: Bench [--quick] [--runs N] [--systems syncmesh,syncmesh-secure,js2p,hazelcast] [--repo DIR]"
              + " [--jar bench.jar] [--out FILE.md] [--logs DIR] [--budget-s S] [--jvm-opts '-Xmx256m']"
              + " [--syncmesh-cli] [--page-client browser|http|none] [--js2p-100k] [--warmup N] [--more-warm-rounds N] [--k 10000,100000] [--js2p-k 10000] [--paced 2000]");
          return false;
        }
        default -> throw new IllegalArgumentException("unknown option: " + a);
      }
    }
    List<String> given = Arrays.asList(args);
    if (quick) {
      if (!given.contains("--k")) {
        ks = new int[] {1_000};
      }
      if (!given.contains("--js2p-k")) {
        js2pKs = new int[] {1_000};
      }
      if (!given.contains("--paced")) {
        pacedN = 200;
      }
      if (!Arrays.asList(args).contains("--warmup")) {
        warmup = 100;
      }
      if (!Arrays.asList(args).contains("--runs")) {
        runs = 1;
      }
      if (!Arrays.asList(args).contains("--budget-s")) {
        budgetS = 150;
      }
    } else if (js2p100k && !given.contains("--js2p-k")) {
      js2pKs = new int[] {10_000, 100_000};
    }
    if (benchJar == null) {
      benchJar = Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
    if (out == null) {
      out = quick
          ? repo.resolve("bench/results/tmp/quick-" + stamp + ".md")
          : repo.resolve("bench/results/" + LocalDate.now() + ".md");
    }
    if (logs == null) {
      logs = repo.resolve("bench/results/tmp/logs-" + stamp);
    }
    deadlineNs = startedNs + TimeUnit.SECONDS.toNanos(budgetS);
    try {
      clockTicks = Long.parseLong(sh("getconf", "CLK_TCK").trim());
    } catch (Exception e) {
      clockTicks = 100;
    }
    return true;
  }

  // ---- the plan ----------------------------------------------------------------------------------------
  private void runAll() throws IOException {
    say("bench: " + (quick ? "QUICK mode, " : "") + runs + " run(s), systems " + systems + ", budget " + budgetS
        + " s; logs in " + logs);
    String loadBefore = loadavg();
    long[] cpuBefore = cpuTimes();
    for (int run = 1; run <= runs; run++) {
      for (Sys sys : systems) {
        latencySession(sys, run);
        for (int k : ks(sys)) {
          kSession(sys, k, run);
        }
      }
    }
    if (systems.contains(Sys.JS2P)) {
      for (int k : ks) {
        if (Arrays.stream(js2pKs).anyMatch(x -> x == k)) {
          continue;
        }
        int measuredK = js2pKs.length == 0 ? 0 : js2pKs[js2pKs.length - 1];
        List<Double> measured = results.getOrDefault(rowThroughput(measuredK), Map.of()).get(Sys.JS2P);
        String why = "not run: js2p's receivers fall behind (interop/js2p FINDINGS 16)";
        if (measured != null && !measured.isEmpty()) {
          double rate = median(measured);
          double min = k / rate / 60;
          why += String.format(Locale.ROOT, "; at its K=%,d rate of %,.0f keys/s, %,d keys would take %.1f min%s",
              measuredK, rate, k, min, min > 5 ? " (over the issue's 5 minutes)" : "");
        }
        why += "; `--js2p-100k` tries K=100,000 with a 5-minute limit";
        notRun.add(String.format(Locale.ROOT, "js2p at K=%,d: %s.", k, why));
        for (String row : List.of(rowThroughput(k), rowSetRate(k), rowJoin(k), rowRssWriter(k), rowRssMax(k), rowCpu(k))) {
          note(row, Sys.JS2P, why);
        }
      }
    }
    String loadAfter = loadavg();
    suiteStolen = stolenSince(cpuBefore);
    write(loadBefore, loadAfter);
  }

  private int[] ks(Sys sys) {
    return sys == Sys.JS2P ? js2pKs : ks;
  }

  private long remainingMs() {
    return TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
  }

  /** A wait of at most {@code ms}, and never past the deadline of the whole suite. */
  private long bounded(long ms) {
    long r = remainingMs();
    if (r <= 0) {
      throw new Child.Failure("time budget of the suite exhausted");
    }
    return Math.min(ms, r);
  }

  // ---- starting a line A—B—C (and a joiner D) --------------------------------------------------------
  private Child startNode(Sys sys, String role, String tag, String connectTo, boolean deferred) throws IOException {
    List<String> cmd = new ArrayList<>();
    boolean cliNode = (sys == Sys.SYNCMESH && syncmeshCli || sys == Sys.SYNCMESH_PAGE) && !role.equals("A");
    switch (sys) {
      case SYNCMESH, SYNCMESH_SECURE, SYNCMESH_PAGE -> {
        cmd.add(java());
        if (cliNode) {
          Path jar = repo.resolve("syncmesh-cli/target/syncmesh.jar");
          cmd.addAll(LauncherOptions.of(repo, jar, split(cliJvmOpts)));
          // --max-outgoing 0, as SmNode's maxOutgoing(0): a node that dials whom peers lists name would not keep the line
          cmd.addAll(List.of("-jar", jar.toString(), "node", "--json", "--max-outgoing", "0"));
        } else {
          cmd.addAll(split(jvmOpts));
          cmd.addAll(List.of("-cp", classpath(), SmNode.class.getName(), "--ttl-s", String.valueOf(budgetS + 120)));
        }
        if (sys == Sys.SYNCMESH_SECURE) {
          cmd.addAll(secureArgs(tag + "-" + role));
        }
        if (sys == Sys.SYNCMESH_PAGE && cliNode) { // every command-line node serves its page; C's is open
          int httpPort = freePort();
          cmd.addAll(List.of("--http", "127.0.0.1:" + httpPort));
          if (role.equals("C")) {
            pageUrl = "http://127.0.0.1:" + httpPort + "/";
          }
        }
      }
      case JS2P -> {
        cmd.add("node");
        cmd.add(repo.resolve("interop/js2p/driver.js").toString());
        cmd.addAll(List.of("--ttl-s", String.valueOf(budgetS + 120)));
      }
      case HAZELCAST -> {
        cmd.add(java());
        cmd.addAll(split(jvmOpts));
        cmd.addAll(List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
        cmd.addAll(List.of("-cp", classpath(), HzNode.class.getName(), "--ttl-s", String.valueOf(budgetS + 120)));
        if (deferred) {
          cmd.add("--defer");
        }
      }
      default -> throw new IllegalStateException();
    }
    cmd.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
    if (connectTo != null) {
      cmd.addAll(List.of("--connect", connectTo));
    }
    long startTimeout = sys == Sys.HAZELCAST ? 60_000 : 20_000;
    return Child.start(sys.label + "-" + role, cmd, logs.resolve(tag + "-" + role + ".log"), bounded(startTimeout));
  }

  /**
   * A secure node's files, minted here: the network's CA (once per suite, in
   * bench/target/secure-certs-TIME/) and per node a fresh Ed25519 identity key and a certificate
   * from that CA naming its id. Returns the SmNode options that use them.
   */
  private List<String> secureArgs(String name) throws IOException {
    if (certDir == null) {
      certDir = repo.resolve("bench/target/secure-certs-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss")));
      Files.createDirectories(certDir);
      ca = NodeCertificates.authority("syncmesh bench CA", Duration.ofDays(2));
      Files.writeString(certDir.resolve("ca.pem"), NodeCertificates.pem(ca.certificate()));
    }
    NodeIdentity identity = NodeIdentity.generate();
    Path idFile = certDir.resolve(name + "-identity.key");
    NodeCertificates.writeSecret(idFile, identity.toPem());
    Path cert = certDir.resolve(name + "-cert.pem");
    Path key = certDir.resolve(name + "-tls.key");
    NodeCertificates.write(NodeCertificates.node(ca, identity.id(), Duration.ofDays(1)), cert, key);
    return List.of("--tls-cert", cert.toString(), "--tls-key", key.toString(), "--tls-ca",
        certDir.resolve("ca.pem").toString(), "--identity", idFile.toString());
  }

  /** Java nodes get the orchestrator's class path (run.sh puts the work tree's classes first). */
  private String classpath() {
    String cp = System.getProperty("java.class.path");
    return cp == null || cp.isEmpty() ? benchJar.toString() : cp;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Options given as one string, split at white space. */
  static List<String> split(String s) {
    List<String> l = new ArrayList<>();
    for (String p : s.trim().split("\\s+")) {
      if (!p.isEmpty()) {
        l.add(p);
      }
    }
    return l;
  }

  /** syncmesh-page: the page of C, and the headless Chromium showing it (interop/browser/driver.js). */
  private String pageUrl;
  private Child browser;

  private static int freePort() throws IOException {
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  /**
   * syncmesh-page with {@code --page-client http}: what the page asks of the node, asked from this
   * process instead of a browser (the event stream held open, the peers and the first page of keys
   * fetched every second), so that the figure is the node's cost alone, not a browser's drawing on
   * the same two cores.
   */
  private static final class PageWatcher implements AutoCloseable {
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    private final java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
          Thread t = new Thread(r, "page-watcher");
          t.setDaemon(true);
          return t;
        });
    private final java.util.concurrent.atomic.AtomicLong eventLines = new java.util.concurrent.atomic.AtomicLong();

    PageWatcher(String base) {
      java.net.URI events = java.net.URI.create(base + "api/events");
      timer.execute(() -> {
        try {
          http.send(java.net.http.HttpRequest.newBuilder(events).build(),
              java.net.http.HttpResponse.BodyHandlers.ofLines()).body().forEach(l -> eventLines.incrementAndGet());
        } catch (IOException | InterruptedException | RuntimeException e) {
          // closed with the session
        }
      });
      timer.scheduleAtFixedRate(() -> {
        for (String path : List.of("api/peers", "api/keys?limit=50")) {
          try {
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
          } catch (IOException | InterruptedException | RuntimeException e) {
            return;
          }
        }
      }, 0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }

  private PageWatcher watcher;
  private String pageClient = "browser";

  /** Opens C's page in a headless Chromium, which then follows the node live until {@link #stopAll}. */
  private void openPage(String tag) throws IOException {
    if (pageClient.equals("http")) {
      watcher = new PageWatcher(pageUrl);
      return;
    } else if (pageClient.equals("none")) {
      return; // the server is up, nobody watches: what --http costs by itself
    }
    browser = Child.start("browser-" + tag, List.of("node", repo.resolve("interop/browser/driver.js").toString()),
        logs.resolve(tag + "-browser.log"), bounded(30_000));
    browser.quitCommand = "{\"cmd\":\"quit\"}";
    browser.call("{\"cmd\":\"open\",\"url\":\"" + pageUrl + "\"}", bounded(30_000));
    browser.call("{\"cmd\":\"waitFor\",\"selector\":\"#stream-state\",\"text\":\"connected\"}", bounded(30_000));
  }

  /** Starts A, then B connecting to A, then C connecting to B, and waits until the links are up. */
  private List<Child> startLine(Sys sys, String tag) throws IOException {
    List<Child> line = new ArrayList<>();
    Child a = startNode(sys, "A", tag, null, false);
    line.add(a);
    Child b = startNode(sys, "B", tag, a.host() + ":" + a.port(), false);
    line.add(b);
    Child c = startNode(sys, "C", tag, b.host() + ":" + b.port(), false);
    line.add(c);
    int[] want = sys == Sys.HAZELCAST ? new int[] {2, 2, 2} : new int[] {1, 2, 1};
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bounded(30_000));
    for (int i = 0; i < 3; i++) {
      for (;;) {
        int n = Json.list(line.get(i).call("peers", bounded(10_000))).size();
        if (n >= want[i]) {
          if (n > want[i]) {
            problems.add(tag + ": " + line.get(i).name + " has " + n + " peers, not " + want[i] + " (the line is not strict)");
          }
          break;
        }
        if (System.nanoTime() > until) {
          throw new Child.Failure(tag + ": " + line.get(i).name + " has " + n + " peers after 30 s, wants " + want[i]);
        }
        sleep(20);
      }
    }
    if (sys != Sys.HAZELCAST) {
      // C must not hear A directly
      for (Object p : Json.list(c.call("peers", bounded(10_000)))) {
        if (Json.number(p, "port") == a.port()) {
          problems.add(tag + ": C is linked to A directly (the line is not strict)");
        }
      }
    }
    if (sys == Sys.SYNCMESH_PAGE) {
      openPage(tag);
    }
    sleep(SETTLE_MS); // let registrations (Hazelcast's cluster-wide entry listeners) and accept paths settle
    return line;
  }

  private int warmupFor(Sys sys) {
    return warmup >= 0 ? warmup : sys == Sys.JS2P ? JS2P_WARMUP : JVM_WARMUP;
  }

  // ---- (b) propagation latency -----------------------------------------------------------------------
  private void latencySession(Sys sys, int run) {
    String tag = "run" + run + "-" + sys.label + "-latency";
    say("== " + tag + ": A sets one key every " + plain(pacedIntervalMs) + " ms, " + pacedN + " keys; latency at C");
    List<Child> line = new ArrayList<>();
    try {
      line = startLine(sys, tag);
      Child a = line.get(0);
      Child c = line.get(2);
      int warmKeys = warmupFor(sys);
      if (warmKeys > 0) {
        // warm-up (JIT, connections, buffers): N keys with another prefix, not measured
        a.call(String.format(Locale.ROOT, "bulkset %d w %d", warmKeys, valueSize), bounded(300_000));
        waitCount(sys, c, warmKeys, sys == Sys.JS2P ? 300_000 : 120_000);
      }
      c.call("events on", bounded(10_000));
      long[] cpuBefore = cpuTimes();
      long paceMs = (long) (pacedN * pacedIntervalMs) + 60_000;
      Object r = a.call(String.format(Locale.ROOT, "paceset %d %s p %d", pacedN, plain(pacedIntervalMs), valueSize), bounded(paceMs));
      String stolen = stolenSince(cpuBefore);
      List<?> sent = Json.list(Json.member(r, "sends"));
      long[] sends = new long[pacedN];
      for (int i = 0; i < pacedN; i++) {
        sends[i] = Json.number(sent.get(i));
      }
      waitCount(sys, c, warmKeys + pacedN, sys == Sys.JS2P ? 120_000 : 60_000);
      long[] firstArrival = new long[pacedN];
      for (Object e : Json.list(c.call("arrivals", bounded(30_000)))) {
        int i = Gen.index("p", Json.text(e, "key"));
        long t = Json.number(e, "t_ns");
        if (i >= 0 && i < pacedN && (firstArrival[i] == 0 || t < firstArrival[i])) {
          firstArrival[i] = t;
        }
      }
      double[] lat = latencies(firstArrival, sends, 0, pacedN);
      int n = lat.length;
      if (n < pacedN) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < pacedN && missing.size() < 10; i++) {
          if (firstArrival[i] == 0) {
            missing.add(i);
          }
        }
        problems.add(tag + ": " + (pacedN - n) + " of " + pacedN + " keys had no arrival event at C (C holds them all;"
            + " first indices without an event: " + missing + "); they are left out of the percentiles");
      }
      StringBuilder trend = new StringBuilder("   latency by send order (key index: ms):");
      for (int i : new int[] {0, pacedN / 10, pacedN / 4, pacedN / 2, 3 * pacedN / 4, pacedN - 1}) {
        trend.append(firstArrival[i] == 0 ? String.format(Locale.ROOT, " %d: none", i)
            : String.format(Locale.ROOT, " %d: %.3f", i, (firstArrival[i] - sends[i]) / 1e6));
      }
      say(trend.toString());
      StringBuilder tenths = new StringBuilder("   p50/p99 by tenth of the keys (ms):");
      for (int w = 0; w < 10; w++) {
        double[] l = latencies(firstArrival, sends, w * pacedN / 10, (w + 1) * pacedN / 10);
        tenths.append(l.length == 0 ? " none"
            : String.format(Locale.ROOT, " %.2f/%.2f", percentile(l, 0.5), percentile(l, 0.99)));
      }
      say(tenths.toString());
      say(slowest(firstArrival, sends, 10));
      // The paced path's own code (a wake-up and a flush per key) is still being compiled in the first
      // seconds, after a bulk warm-up: the last half shows the node once it is.
      double[] firstHalf = latencies(firstArrival, sends, 0, pacedN / 2);
      double[] lastHalf = latencies(firstArrival, sends, pacedN / 2, pacedN);
      if (lastHalf.length > 0) {
        add(rowLatency(LAST_HALF_P99), sys, percentile(lastHalf, 0.99));
      }
      say("   CPU time stolen by the hypervisor while A paced its keys: " + stolen);
      say(String.format(Locale.ROOT, "   p99 by half: keys 0-%d %.3f ms, keys %d-%d %.3f ms", pacedN / 2 - 1,
          firstHalf.length == 0 ? Double.NaN : percentile(firstHalf, 0.99), pacedN / 2, pacedN - 1,
          lastHalf.length == 0 ? Double.NaN : percentile(lastHalf, 0.99)));
      add(rowLatency("p50"), sys, percentile(lat, 0.50));
      add(rowLatency("p99"), sys, percentile(lat, 0.99));
      add(rowLatency("max"), sys, lat[n - 1]);
      say(String.format(Locale.ROOT, "   p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d keys)",
          percentile(lat, 0.5), percentile(lat, 0.99), lat[n - 1], n));
    } catch (Exception e) {
      failed(tag, e, List.of(rowLatency("p50"), rowLatency("p99"), rowLatency("max"), rowLatency(LAST_HALF_P99)), sys);
    } finally {
      stopAll(line);
    }
  }

  // ---- (a) throughput, (c) late joiner, (d) RSS and CPU -------------------------------------------------
  private void kSession(Sys sys, int k, int run) {
    String tag = "run" + run + "-" + sys.label + "-K" + k;
    say("== " + tag + ": A writes " + k + " keys; time until C holds them; then D joins C");
    List<Child> nodes = new ArrayList<>();
    try {
      nodes.addAll(startLine(sys, tag));
      Child a = nodes.get(0);
      Child c = nodes.get(2);
      c.call("events on", bounded(10_000));
      long timeout = switch (sys) {
        case SYNCMESH, SYNCMESH_PAGE -> Math.max(60_000, k);
        case SYNCMESH_SECURE -> Math.max(60_000, 3L * k);
        case HAZELCAST -> Math.max(60_000, 3L * k);
        case JS2P -> 300_000;
      };
      double[] cold = bulkRound(sys, tag, a, c, k, "a", 0, timeout);
      add(rowThroughput(k), sys, cold[0]);
      add(rowSetRate(k), sys, cold[1]);

      // (c) late joiner D connects to C
      Child d = startNode(sys, "D", tag, null, true);
      nodes.add(d);
      d.call("events on", bounded(10_000));
      long j0 = System.nanoTime();
      d.call("connect " + c.host() + " " + c.port(), bounded(60_000));
      long dSeen = waitCount(sys, d, k, sys == Sys.JS2P ? 300_000 : 120_000);
      long dLast = 0;
      long dFirst = Long.MAX_VALUE;
      Set<Integer> dDistinct = new HashSet<>();
      for (Object e : Json.list(d.call("arrivals", bounded(60_000)))) {
        int i = Gen.index("a", Json.text(e, "key"));
        if (i >= 0 && i < k) {
          dDistinct.add(i);
          dLast = Math.max(dLast, Json.number(e, "t_ns"));
          dFirst = Math.min(dFirst, Json.number(e, "t_ns"));
        }
      }
      String how;
      if (dDistinct.size() >= k) {
        how = "last arrival event at D";
      } else {
        dLast = dSeen;
        how = "poll of D's key count (arrival events cover " + dDistinct.size() + " of " + k + " keys)";
      }
      double join = (dLast - j0) / 1e9;
      add(rowJoin(k), sys, join);
      if (run == 1) {
        note(rowJoin(k), sys, "end = " + how);
      }
      say(String.format(Locale.ROOT, "   late joiner D holds all %d keys after %.3f s (%s; first key after %.3f s)", k,
          join, how, dFirst == Long.MAX_VALUE ? Double.NaN : (dFirst - j0) / 1e9));

      // (d) RSS and CPU of every node, read before they exit
      double maxRss = 0;
      double cpu = 0;
      StringBuilder per = new StringBuilder();
      for (Child n : nodes) {
        Child.ProcStats st = n.stats(clockTicks);
        double mib = st.peakRssBytes() / 1048576.0;
        if (n != a) {
          maxRss = Math.max(maxRss, mib);
        }
        cpu += st.cpuSeconds();
        per.append(String.format(Locale.ROOT, " %s %.1f MiB %.2f s (JIT %.2f);", n.name, mib, st.cpuSeconds(),
            st.jitSeconds()));
        if (n == a) {
          add(rowRssWriter(k), sys, mib);
        }
      }
      add(rowRssMax(k), sys, maxRss);
      add(rowCpu(k), sys, cpu);
      say("   peak RSS / CPU:" + per);
      log.add(tag + ": peak RSS / CPU:" + per);

      // (a) again on the same, now warm, processes (D stays: a Hazelcast member leaving would
      // make the cluster rebalance during the round).
      if (sys != Sys.JS2P) {
        say("   warm: A writes " + k + " more keys on the same processes");
        double[] warm = bulkRound(sys, tag, a, c, k, "b", k, timeout);
        add(rowWarmThroughput(k), sys, warm[0]);
        for (int round = 2; round <= 1 + moreWarmRounds; round++) {
          say("   warm round " + round + ": A writes " + k + " more keys");
          double[] more = bulkRound(sys, tag, a, c, k, "b" + round + "-", round * k, timeout);
          add(rowMoreWarmThroughput(k, round), sys, more[0]);
        }
      }
    } catch (Exception e) {
      failed(tag, e, List.of(rowThroughput(k), rowSetRate(k), rowJoin(k), rowRssWriter(k), rowRssMax(k), rowCpu(k),
          rowWarmThroughput(k)), sys);
    } finally {
      stopAll(nodes);
    }
  }

  /**
   * A writes k keys named PREFIX… as fast as its API allows; returns {keys/s arriving at C, A's
   * set() rate}. C's arrival events time it; C's key count (heldBefore + k once all arrived) is
   * the fallback when events are missing.
   */
  private double[] bulkRound(Sys sys, String tag, Child a, Child c, int k, String prefix, int heldBefore, long timeout) {
    long callStart = System.nanoTime();
    Object w = a.call(String.format(Locale.ROOT, "bulkset %d %s %d", k, prefix, valueSize), bounded(timeout));
    long t0 = Json.number(w, "t0_ns");
    long t1 = Json.number(w, "t1_ns");
    long left = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callStart);
    long seenAt = waitCount(sys, c, heldBefore + k, Math.max(1_000, left));
    long last = 0;
    Set<Integer> distinct = new HashSet<>();
    for (Object e : Json.list(c.call("arrivals", bounded(60_000)))) {
      int i = Gen.index(prefix, Json.text(e, "key"));
      if (i >= 0 && i < k) {
        distinct.add(i);
        last = Math.max(last, Json.number(e, "t_ns"));
      }
    }
    if (distinct.size() < k) {
      problems.add(tag + ": only " + distinct.size() + " of " + k + " arrival events at C for prefix " + prefix
          + "; the time is the orchestrator's poll that saw all keys");
      last = seenAt;
    }
    double rate = k / ((last - t0) / 1e9);
    double setRate = k / ((t1 - t0) / 1e9);
    say(String.format(Locale.ROOT, "   %,.0f keys/s at C (last arrival event %.3f s after A's first set; C's key count"
        + " seen complete by the poll at %.3f s); A's set() rate %,.0f/s", rate, (last - t0) / 1e9, (seenAt - t0) / 1e9, setRate));
    return new double[] {rate, setRate};
  }

  /**
   * Waits until the node holds at least n keys; returns the orchestrator's clock when it saw them.
   * Java nodes poll themselves every 0.5 ms (waitkeys; size() is O(1) there); js2p's count is
   * O(keys), so the orchestrator asks it only every 100 ms and uses arrival events for timing.
   */
  private long waitCount(Sys sys, Child node, int n, long timeoutMs) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bounded(timeoutMs));
    if (sys != Sys.JS2P) {
      node.call("waitkeys " + n + " " + bounded(timeoutMs), bounded(timeoutMs) + 10_000);
      return System.nanoTime();
    }
    for (;;) {
      int c = (int) Json.number(node.call("count", bounded(30_000)));
      if (c >= n) {
        return System.nanoTime();
      }
      if (System.nanoTime() > until) {
        throw new Child.Failure(node.name + ": holds " + c + " of " + n + " keys after " + timeoutMs + " ms");
      }
      sleep(100);
    }
  }

  private void stopAll(List<Child> nodes) {
    if (browser != null) {
      browser.close();
      browser = null;
    }
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  private void failed(String tag, Exception e, List<String> rows, Sys sys) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    say("   FAILED: " + msg);
    problems.add(tag + ": " + msg);
    for (String row : rows) {
      note(row, sys, "failed or timed out in " + tag.replaceFirst("-.*", "") + ": " + msg);
    }
  }

  // ---- rows -----------------------------------------------------------------------------------------------
  private static String rowThroughput(int k) {
    return String.format(Locale.ROOT, "(a) write throughput, K=%,d: keys/s arriving at C ↑", k);
  }

  private static String rowWarmThroughput(int k) {
    return String.format(Locale.ROOT, "(a) again on the same warm processes, K=%,d more: keys/s arriving at C ↑", k);
  }

  private static String rowMoreWarmThroughput(int k, int round) {
    return String.format(Locale.ROOT, "(a) warm round %d, K=%,d more: keys/s arriving at C ↑", round, k);
  }

  private static String rowSetRate(int k) {
    return String.format(Locale.ROOT, "(a) A's own set() rate, K=%,d: sets/s (for reference) ↑", k);
  }

  private static final String LAST_HALF_P99 = "p99 of the last half of the keys";

  /** Sorted latencies in ms of keys [from, to) that arrived. */
  private static double[] latencies(long[] arrivals, long[] sends, int from, int to) {
    double[] out = new double[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      if (arrivals[i] != 0) {
        out[n++] = (arrivals[i] - sends[i]) / 1e6;
      }
    }
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  private String rowLatency(String which) {
    return String.format(Locale.ROOT, "(b) propagation latency A→C, %s: ms (%,d keys, one every %s ms) ↓", which, pacedN, plain(pacedIntervalMs));
  }

  private static String rowJoin(int k) {
    return String.format(Locale.ROOT, "(c) late joiner D (via C) holds all K=%,d: s ↓", k);
  }

  private static String rowRssWriter(int k) {
    return String.format(Locale.ROOT, "(d) peak RSS of writer A, K=%,d session: MiB ↓", k);
  }

  private static String rowRssMax(int k) {
    return String.format(Locale.ROOT, "(d) peak RSS, largest of B, C, D, K=%,d session: MiB ↓", k);
  }

  private static String rowCpu(int k) {
    return String.format(Locale.ROOT, "(d) CPU time, A+B+C+D, K=%,d session: s ↓", k);
  }

  private List<String> rowOrder() {
    List<String> rows = new ArrayList<>();
    for (int k : ks) {
      rows.add(rowThroughput(k));
    }
    for (int k : ks) {
      rows.add(rowWarmThroughput(k));
      for (int round = 2; round <= 1 + moreWarmRounds; round++) {
        rows.add(rowMoreWarmThroughput(k, round));
      }
    }
    for (int k : ks) {
      rows.add(rowSetRate(k));
    }
    rows.add(rowLatency("p50"));
    rows.add(rowLatency("p99"));
    rows.add(rowLatency("max"));
    rows.add(rowLatency(LAST_HALF_P99));
    for (int k : ks) {
      rows.add(rowJoin(k));
    }
    for (int k : ks) {
      rows.add(rowRssWriter(k));
      rows.add(rowRssMax(k));
      rows.add(rowCpu(k));
    }
    // js2p-only K values (quick mode uses a smaller K for js2p)
    for (int k : js2pKs) {
      for (String r : List.of(rowThroughput(k), rowSetRate(k), rowJoin(k), rowRssWriter(k), rowRssMax(k), rowCpu(k))) {
        if (!rows.contains(r)) {
          rows.add(r);
        }
      }
    }
    return rows;
  }

  private void add(String row, Sys sys, double v) {
    results.computeIfAbsent(row, r -> new LinkedHashMap<>()).computeIfAbsent(sys, s -> new ArrayList<>()).add(v);
  }

  private void note(String row, Sys sys, String text) {
    cellNotes.computeIfAbsent(row, r -> new LinkedHashMap<>()).merge(sys, text, (x, y) -> x.equals(y) ? x : x + "; " + y);
  }

  // ---- statistics and formatting -----------------------------------------------------------------------
  /**
   * The {@code count} slowest keys by send index: evenly spread ones point at contention for the
   * cores, a run of neighbours at one pause (a collection, a compilation, a timer).
   */
  static String slowest(long[] arrivals, long[] sends, int count) {
    List<Integer> arrived = new ArrayList<>();
    for (int i = 0; i < arrivals.length; i++) {
      if (arrivals[i] != 0) {
        arrived.add(i);
      }
    }
    arrived.sort((x, y) -> Long.compare(arrivals[y] - sends[y], arrivals[x] - sends[x]));
    StringBuilder line = new StringBuilder("   slowest keys (key index: ms):");
    for (int i : arrived.subList(0, Math.min(count, arrived.size()))) {
      line.append(String.format(Locale.ROOT, " %d: %.3f", i, (arrivals[i] - sends[i]) / 1e6));
    }
    return line.toString();
  }

  static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** 5.0 as "5", 2.5 as "2.5". */
  private static String plain(double v) {
    return new java.math.BigDecimal(v).stripTrailingZeros().toPlainString();
  }

  private static String fmt(double v) {
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private String cell(String row, Sys sys) {
    List<Double> v = results.getOrDefault(row, Map.of()).get(sys);
    String note = cellNotes.getOrDefault(row, Map.of()).get(sys);
    if (v == null || v.isEmpty()) {
      return note != null && note.startsWith("not run") ? "not run¹" : "—";
    }
    double min = v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    String s = fmt(median(v));
    if (v.size() > 1) {
      s += " (" + fmt(min) + "–" + fmt(max) + ")";
    }
    if (v.size() < runs) {
      s += " [" + v.size() + " of " + runs + " runs]";
    }
    return s;
  }

  private String ratio(String row, Sys other) {
    return ratio(row, Sys.SYNCMESH, other);
  }

  /** median(of) / median(other). */
  private String ratio(String row, Sys of, Sys other) {
    List<Double> sm = results.getOrDefault(row, Map.of()).get(of);
    List<Double> o = results.getOrDefault(row, Map.of()).get(other);
    if (sm == null || sm.isEmpty() || o == null || o.isEmpty() || median(o) == 0) {
      return "—";
    }
    double r = median(sm) / median(o);
    if (r >= 100) {
      return String.format(Locale.ROOT, "%,.0f×", r);
    }
    if (r >= 10) {
      return String.format(Locale.ROOT, "%.1f×", r);
    }
    // two significant digits, never rounded to 0
    return new java.math.BigDecimal(r).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString() + "×";
  }

  // ---- report ------------------------------------------------------------------------------------------
  private void write(String loadBefore, String loadAfter) throws IOException {
    StringBuilder md = new StringBuilder();
    String title = quick ? "syncmesh cross-system benchmark — QUICK MODE (small K, 1 run: a smoke test, not a measurement)"
        : "syncmesh cross-system benchmark";
    md.append("# ").append(title).append("\n\n");
    md.append("Date: ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).replaceFirst("\\..*", ""))
        .append(". Produced by `bench/run.sh").append(quick ? " --quick" : "").append("`; method and caveats in `bench/README.md`.\n\n");
    md.append("## Machine\n\n");
    md.append("| fact | value |\n|---|---|\n");
    md.append("| cores | ").append(Runtime.getRuntime().availableProcessors()).append(" (").append(cpuModel()).append(") |\n");
    md.append("| memory | ").append(memTotal()).append(" |\n");
    md.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(" |\n");
    md.append("| JDK | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append(" |\n");
    md.append("| node | ").append(safe(() -> sh("node", "--version").trim())).append(" |\n");
    md.append("| js2p | ").append(safe(this::js2pVersion)).append(" (interop/js2p/driver.js) |\n");
    md.append("| Hazelcast | ").append(safe(() -> com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion())).append(" (ReplicatedMap) |\n");
    md.append("| syncmesh | ").append(safe(() -> sh("git", "-C", repo.toString(), "describe", "--always", "--dirty").trim()))
        .append(syncmeshCli ? " (B, C, D: `syncmesh node --json`)" : " (every node: bench SmNode embedding SyncSocket)").append(" |\n");
    md.append("| JVM options of every Java node | `").append(jvmOpts).append("` (Hazelcast members also get its recommended --add-opens)")
        .append(syncmeshCli ? "; command-line nodes instead: `" + safe(() -> String.join(" ",
            LauncherOptions.of(repo, repo.resolve("syncmesh-cli/target/syncmesh.jar"), split(cliJvmOpts)))) + "`" : "")
        .append(" |\n");
    md.append("| load average before / after | ").append(loadBefore).append(" / ").append(loadAfter).append(" |\n");
    md.append("| CPU time stolen by the hypervisor (steal) during the suite | ").append(suiteStolen).append(" |\n");
    md.append("| runs per figure | ").append(runs).append(" (median, with min–max when more than one) |\n");
    md.append("| wall time of the suite | ").append(String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - startedNs) / 1e9)).append(" |\n\n");

    md.append("## Results\n\n");
    md.append("Each cell: median (min–max) over the runs. ↑ = higher is better, ↓ = lower is better. Ratios are "
        + "syncmesh's median divided by the other system's, so for ↑ rows a ratio above 1 favours syncmesh, for ↓ "
        + "rows a ratio below 1 does."
        + (systems.contains(Sys.SYNCMESH_SECURE) ? " secure/open is syncmesh-secure's median divided by syncmesh's: the "
            + "cost of a secure network (below 1 in ↑ rows, above 1 in ↓ rows is a cost)." : "")
        + "\n\n");
    // columns: syncmesh, js2p, Hazelcast as before, plus syncmesh-secure (a secure network, docs/security.md)
    // when asked for, with the ratio secure/open
    // and syncmesh-page (the command line's nodes serving their page, C's open in Chromium), with page/off
    List<Sys> variants = Stream.of(Sys.SYNCMESH_SECURE, Sys.SYNCMESH_PAGE).filter(systems::contains).toList();
    List<Sys> cols = new ArrayList<>(List.of(Sys.SYNCMESH));
    cols.addAll(variants);
    for (Sys x : List.of(Sys.JS2P, Sys.HAZELCAST)) {
      if (variants.isEmpty() || systems.contains(x)) {
        cols.add(x);
      }
    }
    StringBuilder head = new StringBuilder("| scenario |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Sys x : cols) {
      head.append(' ').append(x == Sys.JS2P ? "js2p 0.7.870" : x == Sys.HAZELCAST ? "Hazelcast 5.7" : x.label).append(" |");
      rule.append("---|");
    }
    for (Sys x : cols) {
      if (x != Sys.SYNCMESH) {
        head.append(x == Sys.SYNCMESH_SECURE ? " secure/open |" : x == Sys.SYNCMESH_PAGE ? " page/off |"
            : " syncmesh/" + x.label + " |");
        rule.append("---|");
      }
    }
    md.append(head).append("\n").append(rule).append("\n");
    for (String row : rowOrder()) {
      if (!results.containsKey(row) && !cellNotes.containsKey(row)) {
        continue;
      }
      md.append("| ").append(row).append(" |");
      for (Sys x : cols) {
        md.append(' ').append(cell(row, x)).append(" |");
      }
      for (Sys x : cols) {
        if (x != Sys.SYNCMESH) {
          md.append(' ').append(variants.contains(x) ? ratio(row, x, Sys.SYNCMESH) : ratio(row, x)).append(" |");
        }
      }
      md.append("\n");
    }
    md.append("\n");
    List<String> notes = new ArrayList<>();
    for (var e : cellNotes.entrySet()) {
      for (var s : e.getValue().entrySet()) {
        if (s.getValue().startsWith("not run")) {
          continue;
        }
        notes.add(s.getKey().label + ", " + e.getKey() + ": " + s.getValue());
      }
    }
    if (!notRun.isEmpty()) {
      StringBuilder kl = new StringBuilder();
      for (int k : js2pKs) {
        kl.append(kl.length() == 0 ? "" : " and ").append(String.format(Locale.ROOT, "%,d", k));
      }
      md.append("¹ js2p is run at K=").append(kl).append(" only.");
      for (String n : notRun) {
        md.append(' ').append(n);
      }
      md.append("\n\n");
    }
    md.append("## Notes\n\n");
    md.append("- Topology: syncmesh and js2p run a strict line A—B—C (B dialled A, C dialled B, D dialled C; syncmesh "
        + "nodes have maxOutgoing 0 (command-line nodes --max-outgoing 0), and js2p never auto-connects on one host), checked with `peers`. Hazelcast's "
        + "ReplicatedMap cannot be a line: every member replicates to every other (a full mesh), so B and C only name whom "
        + "they ask to join, and A's writes reach C in one hop instead of two. That favours Hazelcast in (a) and (b).\n");
    md.append(syncmeshCli
        ? "- syncmesh's B, C, D are `syncmesh node --json` (the product's command; --syncmesh-cli), started as bin/syncmesh "
            + "starts it: with its JVM options (bin/jvm.options, bin/jvm-collector.options, bin/jvm-trim.options where the JVM has it) and the build's class-data-sharing "
            + "archive when it is current, then --cli-jvm-opts (BENCH_CLI_JVM_OPTS) as its SYNCMESH_JAVA_OPTS; A is a bench "
            + "SmNode with the options of every Java node.\n"
        : "- syncmesh's nodes are bench SmNodes (a JVM embedding SyncSocket behind the line protocol, maxOutgoing 0), not "
            + "`syncmesh node --json`: the same thin wrapper as Hazelcast's HzNode, so RSS and CPU compare library with "
            + "library, with the same JVM options; `--syncmesh-cli` runs B, C, D as the command instead.\n");
    md.append("- (a) runs twice per session: first on fresh processes (cold: class loading, interpretation and JIT "
        + "compilation are part of the time, as in a first bulk load), then, after (c) and (d), K more keys on the "
        + "same processes (warm; D is still connected to C, which relays to it). js2p's warm round is not run: its "
        + "K=10,000 alone takes over a minute and node has no comparable warm-up to separate out.\n");
    if (moreWarmRounds > 0) {
      md.append("- \"warm round N\" (--more-warm-rounds " + moreWarmRounds + "): the warm round repeated with new keys "
          + "on the same processes, which then hold N + 1 times K keys; how far the first warm round still is from a "
          + "steady state, the JIT compilers of four JVMs sharing the cores being still at work in it.\n");
    }
    md.append("- Writers are in-process: syncmesh's A is a bench JVM embedding SyncSocket, js2p's A runs `bulkset`/`paceset` "
        + "inside driver.js, Hazelcast's A is a member JVM calling ReplicatedMap.put. Times at C and D come from their "
        + "update/entry listeners, on CLOCK_MONOTONIC (System.nanoTime, process.hrtime) shared by all processes.\n");
    md.append("- (b) starts after a warm-up written by A with another prefix (not measured): "
        + (warmup >= 0 ? warmup + " keys" : String.format(Locale.ROOT, "%,d keys for the Java systems, so that their JIT "
            + "compilers have done the hot paths (after a few hundred they are still compiling, and the C2 compiler's "
            + "CPU then competes with the measured writes), %,d for js2p", JVM_WARMUP, JS2P_WARMUP))
        + "; (a) and (c) start on fresh processes (cold), as a first bulk load would. js2p keeps every broadcast of the "
        + "last 60 s in a linearly scanned list, so warm-up keys slow its (b) a little too.\n");
    md.append("- Hazelcast's entry listeners are cluster-wide registrations: an event for C is sent by the member that "
        + "applied the put, not fired when C's replica changes. (a)'s time is still cross-checked by polling C's own "
        + "replica (see the per-session detail).\n");
    md.append("- Hazelcast's late joiner time includes starting the member and joining the cluster (a Hazelcast member "
        + "cannot exist outside its cluster); syncmesh's and js2p's D is started and listening before the clock starts.\n");
    if (systems.contains(Sys.SYNCMESH_SECURE)) {
      md.append("- syncmesh-secure: the same SmNodes in a secure network (docs/security.md): each node gets "
          + "`--tls-cert/--tls-key/--tls-ca/--identity`, minted by the orchestrator in " + (certDir == null ? "bench/target"
          : repo.relativize(certDir)) + " (one CA for the suite; per node a fresh Ed25519 identity key and a "
          + "certificate naming its id), so every link is mutual TLS 1.3 (sealed by BoringSSL: the bench, like the command "
          + "line, carries netty-tcnative; -Dio.netty.handler.ssl.noOpenSsl=true in BENCH_JVM_OPTS gives the JDK's TLS) "
          + "and every write is signed by A and verified "
          + "by B, C and D before they apply and relay it. Same scenarios, same processes layout, interleaved with open "
          + "syncmesh in every run. Its (c) includes D's TLS handshake with C.\n");
    }
    if (systems.contains(Sys.SYNCMESH_PAGE)) {
      md.append("- syncmesh-page: B, C and D are `syncmesh node --json --http 127.0.0.1:PORT` (the node's live page, "
          + "docs/http.md), and C's page is"
          + (pageClient.equals("none") ? " watched by nobody (--page-client none: what serving costs by itself)"
              : pageClient.equals("http") ? " watched for the whole session by an HTTP client in the orchestrator (--page-client http): the event "
              + "stream held open, /api/peers and the first page of /api/keys fetched every second, as the page "
              + "does, without a browser drawing on the same two cores"
              : " open for the whole session in a headless Chromium (interop/browser/driver.js): it holds the event stream and fetches the API "
              + "as a person watching would, on the same two cores")
          + ". page/off is its median divided by syncmesh's" + (syncmeshCli ? "" : ", whose B, C and D are bench "
          + "SmNodes unless --syncmesh-cli is given (give it, so that the two differ only by the page)") + ".\n");
    }
    for (String n : notes) {
      md.append("- ").append(n).append("\n");
    }
    if (!problems.isEmpty()) {
      md.append("\n## Problems seen during the run\n\n");
      for (String p : problems) {
        md.append("- ").append(p).append("\n");
      }
    }
    md.append("\n## Per-session detail\n\n```\n");
    for (String l : log) {
      md.append(l).append("\n");
    }
    md.append("```\n");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    say("results written to " + out);
    System.out.println();
    System.out.println(md);
  }

  // ---- small helpers ---------------------------------------------------------------------------------------
  private void say(String s) {
    if (s.startsWith("== ")) {
      s = String.format(Locale.ROOT, "== [+%.0f s] %s", (System.nanoTime() - startedNs) / 1e9, s.substring(3));
    }
    System.err.println(s);
    if (!s.startsWith("   peak RSS")) {
      log.add(s);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Child.Failure("interrupted");
    }
  }

  interface Source {
    String get() throws Exception;
  }

  private static String safe(Source s) {
    try {
      return s.get();
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  private static String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] b = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private String js2pVersion() throws IOException {
    Object pkg = Json.parse(Files.readString(repo.resolve("interop/js2p/node_modules/js2p/package.json")));
    return Json.text(pkg, "version");
  }

  /** The machine's CPU times (the "cpu" line of /proc/stat, in ticks), or an empty array where there is none. */
  private static long[] cpuTimes() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long[] t = new long[Math.min(8, f.length - 1)]; // user nice system idle iowait irq softirq steal
      for (int i = 0; i < t.length; i++) {
        t[i] = Long.parseLong(f[i + 1]);
      }
      return t;
    } catch (IOException | RuntimeException e) {
      return new long[0];
    }
  }

  /**
   * The share of CPU time the hypervisor gave other guests since {@code before} ("steal"): on a shared
   * virtual machine a stolen slice delays whichever thread was due to run, the tail of (b) first.
   */
  private static String stolenSince(long[] before) {
    long[] after = cpuTimes();
    if (before.length < 8 || after.length < 8) {
      return "unknown";
    }
    long total = 0;
    for (int i = 0; i < 8; i++) {
      total += after[i] - before[i];
    }
    return total <= 0 ? "unknown" : String.format(Locale.ROOT, "%.1f %%", 100.0 * (after[7] - before[7]) / total);
  }

  private static String loadavg() {
    return safe(() -> String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+"), 3)));
  }

  private static String cpuModel() {
    return safe(() -> {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
      return "unknown";
    });
  }

  private static String memTotal() {
    return safe(() -> {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kb / 1048576.0);
        }
      }
      return "unknown";
    });
  }
}
