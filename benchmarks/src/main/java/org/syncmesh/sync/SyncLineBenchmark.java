package org.syncmesh.sync;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.syncmesh.Bytes;

/**
 * Sync throughput across a 3-process line, writer — relay — sink, on 127.0.0.1: sets/s sustained
 * until the far node holds every key, propagation latency writer → far node (p50/p99), and the
 * far node's heap per key. Keys are 16 bytes, values 100 bytes (the first 8 carry the writer's
 * {@link System#nanoTime()}, CLOCK_MONOTONIC, comparable across processes on one Linux host).
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar org.syncmesh.sync.SyncLineBenchmark 100000
 * java -cp benchmarks/target/benchmarks.jar org.syncmesh.sync.SyncLineBenchmark 100000 async
 * </pre>
 *
 * Numbers and the command that gave them are in the closing note; the cross-system
 * comparison (syncmesh, js2p, Hazelcast) is {@code bench/run.sh}.
 */
public final class SyncLineBenchmark {

  private static final int WINDOW = 1024;

  private SyncLineBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("node")) {
      node(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    boolean async = args.length > 1 && args[1].equals("async");
    int rounds = Integer.getInteger("rounds", 1);
    try (SyncSocket writer = new SyncSocket.Builder().maxOutgoing(0).build()) {
      Child relay = Child.start(writer.port(), 0);
      Child sink = Child.start(relay.port, n * rounds);
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (writer.routingTable().isEmpty() && System.nanoTime() < waitUntil) {
        Thread.onSpinWait();
      }
      byte[] filler = new byte[92];
      Arrays.fill(filler, (byte) 'v');
      long start = System.nanoTime();
      // async: setAsync with up to WINDOW writes in flight, the way a bulk load avoids waiting for each.
      java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Void>> inFlight = new java.util.ArrayDeque<>();
      long roundStart = start;
      for (int i = 0; i < n * rounds; i++) {
        if (i > 0 && i % n == 0) {
          System.out.printf("round %d: %.0f local sets/s%n", i / n, n / ((System.nanoTime() - roundStart) / 1e9));
          roundStart = System.nanoTime();
        }
        byte[] value = ByteBuffer.allocate(100).putLong(System.nanoTime()).put(filler).array();
        String key = String.format("k%015d", i);
        if (!async) {
          writer.set(key, Bytes.wrapOwned(value));
          continue;
        }
        if (inFlight.size() == WINDOW) {
          inFlight.poll().join();
        }
        inFlight.add(writer.setAsync(key, Bytes.wrapOwned(value)));
      }
      inFlight.forEach(java.util.concurrent.CompletableFuture::join);
      long written = System.nanoTime();
      String done = sink.await("DONE");
      long end = Long.parseLong(done.split(" ")[1]);
      System.out.printf("keys: %d (16 B keys, 100 B values), writer — relay — sink, 3 processes, %s%n", n * rounds,
          async ? "setAsync, " + WINDOW + " in flight" : "set()");
      System.out.printf("local sets/s on the writer: %.0f%n", (double) n * rounds / ((written - start) / 1e9));
      System.out.printf("sustained sets/s until the sink holds all: %.0f (%.2f s)%n",
          (double) n * rounds / ((end - start) / 1e9), (end - start) / 1e9);
      System.out.println("sink: " + done.substring(done.indexOf(' ', 5) + 1));
      relay.close();
      sink.close();
    }
  }

  /** A child JVM running one node; connects to {@code port} and, if {@code expect > 0}, reports. */
  private static void node(int connectPort, int expect) throws Exception {
    Runtime rt = Runtime.getRuntime();
    gc();
    long heapBefore = rt.totalMemory() - rt.freeMemory();
    long[] latency = new long[Math.max(expect, 1)];
    int[] count = new int[1];
    CountDownLatch all = new CountDownLatch(1);
    long[] lastArrival = new long[1];
    try (SyncSocket s = new SyncSocket.Builder().maxOutgoing(0).callbackExecutor(Runnable::run).build()) {
      if (expect > 0) {
        s.addListener(new SyncListener() {
          @Override
          public void onUpdate(SyncSocket socket, Bytes key, Object value, MetaTuple meta) {
            long now = System.nanoTime();
            if (count[0] < latency.length && value instanceof Bytes b) {
              latency[count[0]] = now - b.asReadOnlyByteBuffer().getLong();
            }
            if (++count[0] == expect) {
              lastArrival[0] = now;
              all.countDown();
            }
          }
        });
      }
      System.out.println("PORT " + s.port());
      s.connect("127.0.0.1", connectPort).get(10, TimeUnit.SECONDS);
      if (expect == 0) {
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine(); // until EOF
        return;
      }
      all.await();
      long[] sorted = latency.clone();
      Arrays.sort(sorted);
      gc();
      long heapAfter = rt.totalMemory() - rt.freeMemory();
      System.out.printf("DONE %d propagation p50 %.1f ms, p99 %.1f ms, max %.1f ms; heap %.0f B/key "
              + "(%.1f MB per 100,000 keys)%n",
          lastArrival[0], sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 99 / 100] / 1e6,
          sorted[sorted.length - 1] / 1e6, (heapAfter - heapBefore) / (double) expect,
          (heapAfter - heapBefore) / (double) expect * 100_000 / 1e6);
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
  }

  private static void gc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // a benchmark, not a test: lets the collector settle
    }
  }

  private static final class Child implements AutoCloseable {
    final Process process;
    final BufferedReader out;
    final int port;

    private Child(Process process) throws Exception {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.port = Integer.parseInt(await("PORT").split(" ")[1]);
    }

    static Child start(int connectPort, int expect) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"), "-Xmx1g",
          "-cp", System.getProperty("java.class.path"), SyncLineBenchmark.class.getName(),
          "node", String.valueOf(connectPort), String.valueOf(expect)));
      return new Child(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    String await(String prefix) throws Exception {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      throw new IllegalStateException("child exited before " + prefix);
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
