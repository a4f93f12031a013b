package org.syncmesh.mesh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.syncmesh.Bytes;

/**
 * Broadcast throughput and latency across a line A—B—C (C hears A only through B's relay), the
 * mesh benchmark of issue 3. Not JMH: it measures a distributed pipeline end to end.
 *
 * <ul>
 *   <li>throughput: A broadcasts {@code --messages} messages (a 16-byte id and a 100-byte bin
 *       value) as fast as {@code send} returns; the figure is messages / (last arrival at C −
 *       first send), in msgs/s;
 *   <li>latency: A sends one message every {@code --interval-micros}; C computes arrival − send
 *       from {@code System.nanoTime()} carried in the message (one monotonic clock per host, so
 *       valid across processes); p50/p99/max in ms.
 * </ul>
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar org.syncmesh.mesh.MeshBroadcastBench --mode inproc
 * java -cp benchmarks/target/benchmarks.jar org.syncmesh.mesh.MeshBroadcastBench --mode processes
 * </pre>
 * Each mode runs {@code --runs} times (default 3) and prints every run and the median.
 */
public final class MeshBroadcastBench {

  private static final PrintStream out = System.out;

  private MeshBroadcastBench() {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    switch (a.get("--role", "driver")) {
      case "relay" -> relay(a);
      case "sink" -> sink(a);
      default -> driver(a);
    }
  }

  // ------------------------------------------------------------------ the driver (node A)

  private static void driver(Args a) throws Exception {
    String mode = a.get("--mode", "inproc");
    int messages = Integer.parseInt(a.get("--messages", "100000"));
    int latencyMessages = Integer.parseInt(a.get("--latency-messages", "2000"));
    long intervalMicros = Long.parseLong(a.get("--interval-micros", "1000"));
    int runs = Integer.parseInt(a.get("--runs", "3"));
    out.printf(Locale.ROOT, "mesh broadcast, line A-B-C, mode %s, %d messages, latency %d msgs every %d us, %d cores%n",
        mode, messages, latencyMessages, intervalMicros, Runtime.getRuntime().availableProcessors());
    List<double[]> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double[] r = mode.equals("processes")
          ? runProcesses(messages, latencyMessages, intervalMicros)
          : runInProcess(messages, latencyMessages, intervalMicros);
      results.add(r);
      out.printf(Locale.ROOT, "run %d: throughput %.0f msgs/s, latency p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
          run, r[0], r[1], r[2], r[3]);
    }
    out.printf(Locale.ROOT, "median of %d: throughput %.0f msgs/s (min %.0f, max %.0f), p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        runs, median(results, 0), min(results, 0), max(results, 0), median(results, 1), median(results, 2), median(results, 3));
  }

  private static double[] runInProcess(int messages, int latencyMessages, long intervalMicros) throws Exception {
    try (MeshSocket a = node(); MeshSocket b = node(); MeshSocket c = node()) {
      b.connect("127.0.0.1", a.port()).get(10, TimeUnit.SECONDS);
      c.connect("127.0.0.1", b.port()).get(10, TimeUnit.SECONDS);
      Sink sink = new Sink(messages, latencyMessages);
      c.registerHandler(sink);
      b.registerHandler((m, from) -> true); // relay only; keep B's queue empty
      waitForRoutes(a, b, c);
      sendThroughput(a, messages);
      sink.throughputDone.await(120, TimeUnit.SECONDS);
      sendLatency(a, latencyMessages, intervalMicros);
      sink.latencyDone.await(120, TimeUnit.SECONDS);
      return sink.result();
    }
  }

  private static double[] runProcesses(int messages, int latencyMessages, long intervalMicros) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    try (MeshSocket a = node()) {
      Process relay = new ProcessBuilder(java, "-cp", cp, MeshBroadcastBench.class.getName(),
          "--role", "relay", "--connect", String.valueOf(a.port())).redirectErrorStream(false).start();
      Process sink = null;
      try {
        BufferedReader relayOut = reader(relay);
        int relayPort = Integer.parseInt(expect(relayOut, "READY").split(" ")[1]);
        sink = new ProcessBuilder(java, "-cp", cp, MeshBroadcastBench.class.getName(), "--role", "sink",
            "--connect", String.valueOf(relayPort), "--messages", String.valueOf(messages),
            "--latency-messages", String.valueOf(latencyMessages)).start();
        BufferedReader sinkOut = reader(sink);
        expect(sinkOut, "READY");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.routingTable().isEmpty() && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        // Warm the route so the first timed message does not pay for connection set-up.
        sendThroughput(a, 1);
        expect(sinkOut, "WARM");
        sendThroughput(a, messages);
        expect(sinkOut, "THROUGHPUT_DONE");
        sendLatency(a, latencyMessages, intervalMicros);
        String[] r = expect(sinkOut, "RESULT").split(" ");
        return new double[] {Double.parseDouble(r[1]), Double.parseDouble(r[2]), Double.parseDouble(r[3]), Double.parseDouble(r[4])};
      } finally {
        relay.destroy();
        if (sink != null) {
          sink.destroy();
          sink.waitFor(10, TimeUnit.SECONDS);
        }
        relay.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static final Bytes VALUE = Bytes.of(new byte[100]);

  private static void sendThroughput(MeshSocket a, int messages) {
    for (int i = 0; i < messages; i++) {
      a.send("T", (long) i, System.nanoTime(), VALUE);
    }
  }

  private static void sendLatency(MeshSocket a, int messages, long intervalMicros) {
    long next = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      next += TimeUnit.MICROSECONDS.toNanos(intervalMicros);
      while (System.nanoTime() < next) {
        LockSupport.parkNanos(20_000);
      }
      a.send("L", (long) i, System.nanoTime(), VALUE);
    }
  }

  // ------------------------------------------------------------------ child roles (B and C)

  private static void relay(Args a) throws Exception {
    try (MeshSocket b = node()) {
      b.registerHandler((m, from) -> true);
      b.connect("127.0.0.1", Integer.parseInt(a.get("--connect", "0"))).get(10, TimeUnit.SECONDS);
      out.println("READY " + b.port());
      out.flush();
      waitForStdinEof();
    }
  }

  private static void sink(Args a) throws Exception {
    int messages = Integer.parseInt(a.get("--messages", "100000"));
    int latencyMessages = Integer.parseInt(a.get("--latency-messages", "2000"));
    try (MeshSocket c = node()) {
      Sink sink = new Sink(messages, latencyMessages);
      CountDownLatch warm = new CountDownLatch(1);
      c.registerHandler((m, from) -> {
        if (m.packets().get(1).equals(0L) && warm.getCount() > 0 && "T".equals(m.packets().get(0))) {
          warm.countDown();
          return true;
        }
        return sink.handle(m, from);
      });
      c.connect("127.0.0.1", Integer.parseInt(a.get("--connect", "0"))).get(10, TimeUnit.SECONDS);
      out.println("READY " + c.port());
      out.flush();
      warm.await(60, TimeUnit.SECONDS);
      out.println("WARM");
      out.flush();
      sink.throughputDone.await(300, TimeUnit.SECONDS);
      out.println("THROUGHPUT_DONE");
      out.flush();
      sink.latencyDone.await(300, TimeUnit.SECONDS);
      double[] r = sink.result();
      out.printf(Locale.ROOT, "RESULT %.1f %.4f %.4f %.4f%n", r[0], r[1], r[2], r[3]);
      out.flush();
      waitForStdinEof();
    }
  }

  /** Counts throughput arrivals and records latencies, on C's protocol thread. */
  private static final class Sink implements MessageHandler {
    final CountDownLatch throughputDone = new CountDownLatch(1);
    final CountDownLatch latencyDone = new CountDownLatch(1);
    private final int messages;
    private final long[] latencies;
    private int throughputSeen;
    private int latencySeen;
    private long firstSendNanos = -1;
    private long lastArrivalNanos;

    Sink(int messages, int latencyMessages) {
      this.messages = messages;
      this.latencies = new long[latencyMessages];
    }

    @Override
    public boolean handle(Message m, PeerInfo from) {
      long now = System.nanoTime();
      List<Object> p = m.packets();
      long sent = (Long) p.get(2);
      if ("T".equals(p.get(0))) {
        if (firstSendNanos < 0 || (Long) p.get(1) == 0L) {
          firstSendNanos = sent;
        }
        if (++throughputSeen == messages) {
          lastArrivalNanos = now;
          throughputDone.countDown();
        }
      } else if (latencySeen < latencies.length) {
        latencies[latencySeen++] = now - sent;
        if (latencySeen == latencies.length) {
          latencyDone.countDown();
        }
      }
      return true;
    }

    double[] result() {
      double throughput = messages / ((lastArrivalNanos - firstSendNanos) / 1e9);
      long[] sorted = Arrays.copyOf(latencies, latencySeen);
      Arrays.sort(sorted);
      return new double[] {throughput, percentile(sorted, 0.50), percentile(sorted, 0.99),
          sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6};
    }
  }

  // ------------------------------------------------------------------ helpers

  private static MeshSocket node() {
    return new MeshSocket.Builder().maxOutgoing(0).recvQueueCapacity(16).build();
  }

  private static void waitForRoutes(MeshSocket a, MeshSocket b, MeshSocket c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((a.routingTable().size() < 1 || b.routingTable().size() < 2 || c.routingTable().size() < 1)
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static double median(List<double[]> rs, int i) {
    double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double min(List<double[]> rs, int i) {
    return rs.stream().mapToDouble(r -> r[i]).min().orElse(Double.NaN);
  }

  private static double max(List<double[]> rs, int i) {
    return rs.stream().mapToDouble(r -> r[i]).max().orElse(Double.NaN);
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  private static String expect(BufferedReader in, String prefix) throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("child process ended before " + prefix);
  }

  private static void waitForStdinEof() throws IOException {
    while (System.in.read() >= 0) {
      // until the parent closes our stdin or kills us
    }
  }

  /** {@code --name value} pairs. */
  private record Args(String[] args) {
    String get(String name, String fallback) {
      for (int i = 0; i < args.length - 1; i++) {
        if (args[i].equals(name)) {
          return args[i + 1];
        }
      }
      return fallback;
    }
  }
}
