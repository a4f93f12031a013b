package org.syncmesh.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.syncmesh.sync.SyncMetrics;
import org.syncmesh.sync.SyncSocket;
import org.syncmesh.wire.NodeId;

/**
 * Where a secure network's time goes (issue 13, performance): everything in ONE JVM, so that one
 * JFR recording sees the writer, the relay and the receiver.
 *
 * <ol>
 *   <li><b>Primitives</b>, one thread, after a warm-up: µs per {@link NodeIdentity#sign},
 *       {@link NodeIdentity#verify}, and the two steps a verification repeats for every write of
 *       the same writer: {@link NodeId#fromPublicKey} (SHA-384 + base58) and decoding the public
 *       key ({@code new Ed25519PublicKeyParameters}).
 *   <li><b>Handshake</b>: a fresh node D dials C (a node of a standing line), open and secure
 *       interleaved: time from {@code connect()} until D's routing table holds C (and until C's
 *       holds D). The first of each kind is reported apart (cold: class loading, TLS setup).
 *   <li><b>Bulk</b>: a line A—B—C of in-process SyncSockets (maxOutgoing 0), open then secure
 *       (fresh sockets each), A sets K keys as fast as set() returns; keys/s until C holds them,
 *       and the CPU time of every thread by its name (ThreadMXBean). The secure round (and,
 *       for comparison, the open one) runs under a JFR recording with the {@code profile}
 *       settings; its execution samples are classified by the frames on their stack: signing
 *       ({@code NodeIdentity.sign}), verification ({@code SignedWrites.refusal}, split into its
 *       parts), TLS ({@code sun.security.ssl}, {@code com.sun.crypto.provider}, {@code javax.crypto})
 *       and the rest; plus the top methods by own samples.
 * </ol>
 *
 * Options: {@code --keys N} (100,000), {@code --reps N} (handshakes per kind, 15), {@code --rounds N}
 * (bulk rounds per kind, 1), {@code --dir DIR} (bench/target/secure-profile), {@code --no-jfr}.
 */
public final class SecureProfile {
  private int keys = 100_000;
  private int reps = 15;
  private int rounds = 1;
  private boolean jfr = true;
  private int paced = 0;
  private Path dir = Path.of("bench/target/secure-profile");
  private NodeCertificates.Issued ca;
  private int nodes;

  public static void main(String[] args) throws Exception {
    SecureProfile p = new SecureProfile();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> p.keys = Integer.parseInt(args[++i]);
        case "--reps" -> p.reps = Integer.parseInt(args[++i]);
        case "--rounds" -> p.rounds = Integer.parseInt(args[++i]);
        case "--dir" -> p.dir = Path.of(args[++i]);
        case "--no-jfr" -> p.jfr = false;
        case "--paced" -> p.paced = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option: " + args[i]);
      }
    }
    p.run();
    System.exit(0);
  }

  private void run() throws Exception {
    Files.createDirectories(dir);
    ca = NodeCertificates.authority("syncmesh profile CA", Duration.ofDays(1));
    Files.writeString(dir.resolve("ca.pem"), NodeCertificates.pem(ca.certificate()));
    say("load average before: " + loadavg() + "; cores " + Runtime.getRuntime().availableProcessors());
    primitives();
    handshakes();
    for (int r = 1; r <= rounds; r++) {
      bulk(false, r);
      bulk(true, r);
    }
    if (paced > 0) {
      paced(false);
      paced(true);
    }
    say("load average after: " + loadavg());
  }

  // ---- 1. primitives ---------------------------------------------------------------------------
  private void primitives() {
    NodeIdentity id = NodeIdentity.generate();
    byte[] pk = id.publicKey();
    byte[] msg = new byte[200]; // about the size of a canonical signed write with a 16 B key and a 100 B value
    new java.util.Random(1).nextBytes(msg);
    byte[] sig = id.sign(msg);
    int n = 4_000;
    double[] sign = new double[3];
    double[] verify = new double[3];
    double[] idOf = new double[3];
    double[] decode = new double[3];
    long sink = 0;
    for (int rep = 0; rep < 3 + 2; rep++) { // 2 warm-up passes
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        msg[0] = (byte) i;
        sink += id.sign(msg)[0];
      }
      long t1 = System.nanoTime();
      msg[0] = 0;
      sig = id.sign(msg);
      for (int i = 0; i < n; i++) {
        sink += NodeIdentity.verify(pk, msg, sig) ? 1 : 0;
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += NodeId.fromPublicKey(pk).length();
      }
      long t3 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += new Ed25519PublicKeyParameters(pk, 0).getEncoded()[0];
      }
      long t4 = System.nanoTime();
      if (rep >= 2) {
        sign[rep - 2] = (t1 - t0) / 1e3 / n;
        verify[rep - 2] = (t2 - t1) / 1e3 / n;
        idOf[rep - 2] = (t3 - t2) / 1e3 / n;
        decode[rep - 2] = (t4 - t3) / 1e3 / n;
      }
    }
    say(String.format(Locale.ROOT, "primitives (µs per call, one thread, median of 3 passes of %d; 200-byte message): "
        + "sign %.1f, verify %.1f (of which the key decode below is part), NodeId.fromPublicKey %.1f, "
        + "new Ed25519PublicKeyParameters %.1f  [sink %d]", n, med(sign), med(verify), med(idOf), med(decode), sink));
    say(String.format(Locale.ROOT, "   => one core: at most %,.0f signs/s, %,.0f verifies/s (%,.0f with the id check)",
        1e6 / med(sign), 1e6 / med(verify), 1e6 / (med(verify) + med(idOf))));
  }

  // ---- 2. handshakes ------------------------------------------------------------------------------
  private void handshakes() throws Exception {
    Map<Boolean, List<Double>> toRouting = new HashMap<>();
    Map<Boolean, List<Double>> toBoth = new HashMap<>();
    Map<Boolean, Double> firstRouting = new HashMap<>();
    SyncSocket openC = node(false);
    SyncSocket secureC = node(true);
    try {
      for (int r = 0; r <= reps; r++) {
        for (boolean secure : new boolean[] {false, true}) {
          SyncSocket c = secure ? secureC : openC;
          SyncSocket d = node(secure);
          try {
            long t0 = System.nanoTime();
            d.connect("127.0.0.1", c.port()).join();
            long tJoin = System.nanoTime();
            long tRouting = waitFor(() -> d.routingTable().containsKey(c.id()));
            long tBoth = waitFor(() -> c.routingTable().containsKey(d.id()));
            double ms = (tRouting - t0) / 1e6;
            if (r == 0) {
              firstRouting.put(secure, ms);
              say(String.format(Locale.ROOT, "handshake %s, first (cold): connect() done %.2f ms, in D's routing %.2f ms, "
                  + "in both %.2f ms", secure ? "secure" : "open", (tJoin - t0) / 1e6, ms, (tBoth - t0) / 1e6));
            } else {
              toRouting.computeIfAbsent(secure, x -> new ArrayList<>()).add(ms);
              toBoth.computeIfAbsent(secure, x -> new ArrayList<>()).add((Math.max(tBoth, tRouting) - t0) / 1e6);
            }
          } finally {
            d.close();
          }
        }
      }
    } finally {
      openC.close();
      secureC.close();
    }
    for (boolean secure : new boolean[] {false, true}) {
      List<Double> v = toRouting.get(secure);
      List<Double> b = toBoth.get(secure);
      say(String.format(Locale.ROOT, "handshake %s, warm (%d dials of fresh nodes): connect() to D's routing table: "
          + "median %.2f ms (min %.2f, max %.2f); until both tables: median %.2f ms", secure ? "secure" : "open",
          v.size(), Bench.median(v), min(v), max(v), Bench.median(b)));
    }
  }

  // ---- 3. bulk ------------------------------------------------------------------------------------
  private void bulk(boolean secure, int round) throws Exception {
    String kind = secure ? "secure" : "open";
    SyncSocket a = node(secure);
    SyncSocket b = node(secure);
    SyncSocket c = node(secure);
    Recording rec = null;
    try {
      b.connect("127.0.0.1", a.port()).join();
      c.connect("127.0.0.1", b.port()).join();
      waitFor(() -> a.routingTable().size() == 1 && b.routingTable().size() == 2 && c.routingTable().size() == 1);
      String[] ks = new String[keys];
      String[] vs = new String[keys];
      for (int i = 0; i < keys; i++) {
        ks[i] = Gen.key("a", i);
        vs[i] = Gen.value(i, 100);
      }
      // warm-up: 2,000 keys of another prefix (code paths loaded, links warm), not measured
      for (int i = 0; i < 2_000; i++) {
        a.set(Gen.key("w", i), vs[i]);
      }
      waitForLong(() -> c.size() >= 2_000, 120_000);
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      new SyncMetrics(b).bindTo(meters);
      double[] linkB0 = linkTraffic(meters);
      ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
      Map<Long, Long> cpu0 = threadCpu(tmx);
      Path jfrFile = dir.resolve(kind + "-round" + round + ".jfr");
      if (jfr) {
        rec = new Recording(Configuration.getConfiguration("profile"));
        rec.setToDisk(true);
        rec.setDestination(jfrFile);
        rec.start();
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < keys; i++) {
        a.set(ks[i], vs[i]);
      }
      long t1 = System.nanoTime();
      int want = 2_000 + keys;
      long tB = waitForLong(() -> b.size() >= want, 600_000);
      long tC = waitForLong(() -> c.size() >= want, 600_000);
      if (rec != null) {
        rec.stop();
      }
      Map<String, Double> cpuByGroup = cpuByGroup(tmx, cpu0);
      double[] linkB1 = linkTraffic(meters);
      double totalCpu = cpuByGroup.values().stream().mapToDouble(Double::doubleValue).sum();
      say(String.format(Locale.ROOT, "bulk %s round %d, K=%,d in one JVM (A—B—C): A's set() rate %,.0f/s; B holds all "
          + "after %.2f s; C after %.2f s = %,.0f keys/s at C; CPU of all threads %.1f s", kind, round, keys,
          keys / ((t1 - t0) / 1e9), (tB - t0) / 1e9, (tC - t0) / 1e9, keys / ((tC - t0) / 1e9), totalCpu));
      StringBuilder sb = new StringBuilder("   CPU s by thread group:");
      cpuByGroup.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
          .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %.2f;", e.getKey(), e.getValue())));
      say(sb.toString());
      say(String.format(Locale.ROOT, "   B's links, both peers, during the round: %,.0f frames / %,.0f bytes in, %,.0f frames / "
          + "%,.0f bytes out (%.0f bytes per key in, %.0f out)", linkB1[0] - linkB0[0], linkB1[1] - linkB0[1],
          linkB1[2] - linkB0[2], linkB1[3] - linkB0[3], (linkB1[1] - linkB0[1]) / keys, (linkB1[3] - linkB0[3]) / keys));
      if (rec != null) {
        rec.close();
        rec = null;
        analyse(jfrFile, kind);
      }
    } finally {
      if (rec != null) {
        rec.close();
      }
      c.close();
      b.close();
      a.close();
    }
  }

  /** Frames in, bytes in, frames out, bytes out summed over a node's links (SyncMetrics' counters). */
  private static double[] linkTraffic(SimpleMeterRegistry meters) {
    double[] t = new double[4];
    for (String name : List.of("syncmesh.link.frames", "syncmesh.link.bytes")) {
      for (FunctionCounter c : meters.find(name).functionCounters()) {
        boolean in = "in".equals(c.getId().getTag("direction"));
        int i = (name.endsWith("frames") ? 0 : 1) + (in ? 0 : 2);
        t[i] += c.count();
      }
    }
    return t;
  }

  /**
   * (4) Hop latency when warm: a line A—B—C, 20,000 unmeasured keys, then {@code paced} keys one
   * every 5 ms; time from A's set() to C's update listener (same JVM, same clock).
   */
  private void paced(boolean secure) throws Exception {
    String kind = secure ? "secure" : "open";
    SyncSocket a = node(secure);
    SyncSocket b = node(secure);
    SyncSocket c = node(secure);
    try {
      b.connect("127.0.0.1", a.port()).join();
      c.connect("127.0.0.1", b.port()).join();
      waitFor(() -> a.routingTable().size() == 1 && b.routingTable().size() == 2 && c.routingTable().size() == 1);
      int warm = 20_000;
      for (int i = 0; i < warm; i++) {
        a.set(Gen.key("w", i), Gen.value(i, 100));
      }
      waitForLong(() -> c.size() >= warm, 120_000);
      long[] sent = new long[paced];
      long[] arrived = new long[paced];
      java.util.concurrent.ConcurrentHashMap<String, Integer> index = new java.util.concurrent.ConcurrentHashMap<>();
      c.onUpdate((key, old, value) -> {
        Integer i = index.get(key.utf8());
        if (i != null && arrived[i] == 0) {
          arrived[i] = System.nanoTime();
        }
      });
      for (int i = 0; i < paced; i++) {
        String k = Gen.key("p", i);
        index.put(k, i);
        long due = System.nanoTime() + 5_000_000;
        sent[i] = System.nanoTime();
        a.set(k, Gen.value(i, 100));
        while (System.nanoTime() < due) {
          java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
        }
      }
      waitForLong(() -> c.size() >= warm + paced, 60_000);
      double[] ms = new double[paced];
      for (int i = 0; i < paced; i++) {
        ms[i] = (arrived[i] - sent[i]) / 1e6;
      }
      Arrays.sort(ms);
      say(String.format(Locale.ROOT, "paced %s (warm, %,d keys before), A→C: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
          + "max %.3f ms (%,d keys, one every 5 ms)", kind, warm, ms[paced / 2], ms[paced * 9 / 10], ms[paced * 99 / 100],
          ms[paced - 1], paced));
    } finally {
      c.close();
      b.close();
      a.close();
    }
  }

  private static Map<Long, Long> threadCpu(ThreadMXBean tmx) {
    Map<Long, Long> m = new HashMap<>();
    for (long id : tmx.getAllThreadIds()) {
      m.put(id, tmx.getThreadCpuTime(id));
    }
    return m;
  }

  /** CPU seconds since {@code before} of the live threads, grouped by name without node ids and counters. */
  private static Map<String, Double> cpuByGroup(ThreadMXBean tmx, Map<Long, Long> before) {
    Map<String, Double> out = new TreeMap<>();
    for (long id : tmx.getAllThreadIds()) {
      long now = tmx.getThreadCpuTime(id);
      ThreadInfo info = tmx.getThreadInfo(id);
      if (now < 0 || info == null) {
        continue;
      }
      long d = now - before.getOrDefault(id, 0L);
      out.merge(group(info.getThreadName()), d / 1e9, Double::sum);
    }
    out.values().removeIf(v -> v < 0.005);
    return out;
  }

  static String group(String name) {
    String g = name.replaceAll("-[A-Za-z0-9]{6}-", "-*-").replaceAll("[-#]?\\d+$", "").replaceAll("\\d+", "N");
    return g.isEmpty() ? name : g;
  }

  // ---- JFR analysis ----------------------------------------------------------------------------------
  private void analyse(Path file, String kind) throws IOException {
    Map<String, Integer> cat = new LinkedHashMap<>();
    for (String c : List.of("signing (NodeIdentity.sign)", "verification: Ed25519 verify (NodeIdentity.verify)",
        "verification: writer id of the key (NodeId.fromPublicKey)", "verification: canonical bytes and the rest of SignedWrites.refusal",
        "TLS (sun.security.ssl, JCE ciphers)", "rest")) {
      cat.put(c, 0);
    }
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> byThread = new HashMap<>();
    Map<String, Integer> decodeInVerify = new HashMap<>();
    int total = 0;
    int nativeSamples = 0;
    try (RecordingFile rf = new RecordingFile(file)) {
      while (rf.hasMoreEvents()) {
        RecordedEvent e = rf.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.NativeMethodSample")) {
          nativeSamples++;
          continue;
        }
        if (!type.equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace st = e.getStackTrace();
        if (st == null || st.getFrames().isEmpty()) {
          continue;
        }
        total++;
        List<RecordedFrame> frames = st.getFrames();
        RecordedFrame top = frames.get(0);
        self.merge(name(top), 1, Integer::sum);
        String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
        byThread.merge(group(thread == null ? "?" : thread), 1, Integer::sum);
        String c = "rest";
        boolean inSign = false;
        boolean inVerify = false;
        boolean inIdOf = false;
        boolean inRefusal = false;
        boolean inTls = false;
        boolean inDecode = false;
        for (RecordedFrame f : frames) {
          String n = name(f);
          String cls = f.getMethod().getType().getName();
          if (n.equals("org.syncmesh.NodeIdentity.sign")) {
            inSign = true;
          } else if (n.equals("org.syncmesh.NodeIdentity.verify")) {
            inVerify = true;
          } else if (n.equals("org.syncmesh.wire.NodeId.fromPublicKey")) {
            inIdOf = true;
          } else if (n.equals("org.syncmesh.sync.SignedWrites.refusal")) {
            inRefusal = true;
          } else if (cls.startsWith("sun.security.ssl.") || cls.startsWith("com.sun.crypto.provider.")
              || cls.startsWith("javax.crypto.") || cls.startsWith("javax.net.ssl.")) {
            inTls = true;
          } else if (cls.equals("org.bouncycastle.crypto.params.Ed25519PublicKeyParameters") && n.endsWith(".<init>")) {
            inDecode = true;
          }
        }
        if (inSign) {
          c = "signing (NodeIdentity.sign)";
        } else if (inVerify) {
          c = "verification: Ed25519 verify (NodeIdentity.verify)";
          if (inDecode) {
            decodeInVerify.merge("decode", 1, Integer::sum);
          }
        } else if (inIdOf) {
          c = "verification: writer id of the key (NodeId.fromPublicKey)";
        } else if (inRefusal) {
          c = "verification: canonical bytes and the rest of SignedWrites.refusal";
        } else if (inTls) {
          c = "TLS (sun.security.ssl, JCE ciphers)";
        }
        cat.merge(c, 1, Integer::sum);
      }
    }
    say(String.format(Locale.ROOT, "JFR %s (%s): %d Java execution samples (plus %d native-method samples, not "
        + "classified: threads blocked in native code, e.g. socket I/O or waiting)", kind, file, total, nativeSamples));
    for (var e : cat.entrySet()) {
      say(String.format(Locale.ROOT, "   %-72s %6d  %5.1f %%", e.getKey(), e.getValue(), 100.0 * e.getValue() / Math.max(1, total)));
    }
    if (!decodeInVerify.isEmpty()) {
      say(String.format(Locale.ROOT, "   (of the verify samples, %d are in new Ed25519PublicKeyParameters: decoding the "
          + "writer's key, the same for every write of that writer)", decodeInVerify.get("decode")));
    }
    StringBuilder sb = new StringBuilder("   samples by thread group:");
    byThread.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(10)
        .forEach(e -> sb.append(' ').append(e.getKey()).append(' ').append(e.getValue()).append(';'));
    say(sb.toString());
    final int all = total;
    say("   top 15 methods by own samples:");
    self.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15)
        .forEach(e -> say(String.format(Locale.ROOT, "     %5.1f %%  %s", 100.0 * e.getValue() / Math.max(1, all), e.getKey())));
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  // ---- nodes ------------------------------------------------------------------------------------------
  private SyncSocket node(boolean secure) throws IOException {
    SyncSocket.Builder b = new SyncSocket.Builder().host("127.0.0.1").port(0).maxOutgoing(0);
    if (secure) {
      NodeIdentity identity = NodeIdentity.generate();
      int n = ++nodes;
      Path cert = dir.resolve("n" + n + "-cert.pem");
      Path key = dir.resolve("n" + n + "-tls.key");
      NodeCertificates.write(NodeCertificates.node(ca, identity.id(), Duration.ofDays(1)), cert, key);
      b.secure(cert, key, dir.resolve("ca.pem")).identity(identity);
    }
    return b.build();
  }

  interface Cond {
    boolean ok();
  }

  private static long waitFor(Cond c) {
    return waitForLong(c, 30_000);
  }

  private static long waitForLong(Cond c, long ms) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!c.ok()) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("timed out after " + ms + " ms");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000);
    }
    return System.nanoTime();
  }

  private static double med(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static String loadavg() {
    try {
      return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+"), 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void say(String s) {
    System.out.println(s);
    System.out.flush();
  }
}
