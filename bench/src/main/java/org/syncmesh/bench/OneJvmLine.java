package org.syncmesh.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.syncmesh.sync.SyncSocket;

/**
 * Throughput (a) of bench/run.sh's line A—B—C with the three nodes in ONE JVM (issue 16): what
 * the library's write path does when the nodes share one JIT and no other JVM competes for the
 * cores, to set beside the suite's figures, where every node is its own process.
 *
 * <p>A, B and C are open SyncSockets on 127.0.0.1 (maxOutgoing 0, B dialled A, C dialled B); A
 * sets K keys of 100-byte values as fast as {@code set()} returns, round after round on the same
 * sockets, each round with new keys; a round's figure is K over the time from its first set until
 * C holds them all (the suite's "keys/s arriving at C", polled here). Round 1 is cold, as the
 * suite's first round; round 2 is the suite's warm round. After the rounds the CPU time of every
 * thread of the process, JIT compiler threads included, is printed by thread name (from
 * /proc/self/task, Linux only).
 *
 * <pre>java -Xmx1g -cp bench/target/bench.jar org.syncmesh.bench.OneJvmLine [--keys 100000] [--rounds 4]</pre>
 */
public final class OneJvmLine {

  public static void main(String[] args) throws Exception {
    int keys = 100_000;
    int rounds = 4;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: OneJvmLine [--keys N] [--rounds N]");
      }
    }
    try (SyncSocket a = node(); SyncSocket b = node(); SyncSocket c = node()) {
      b.connect("127.0.0.1", a.mesh().port()).join();
      c.connect("127.0.0.1", b.mesh().port()).join();
      waitUntil(() -> a.mesh().routingTable().size() == 1 && c.mesh().routingTable().size() == 1);
      for (int r = 1; r <= rounds; r++) {
        String prefix = "r" + r;
        long t0 = System.nanoTime();
        for (int i = 0; i < keys; i++) {
          a.set(Gen.key(prefix, i), Gen.value(i, 100));
        }
        long t1 = System.nanoTime();
        long want = (long) r * keys;
        waitUntil(() -> c.size() >= want);
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "round %d (%s), K=%,d: %,.0f keys/s at C; A's set() rate %,.0f/s%n", r,
            r == 1 ? "cold" : "warm", keys, keys / ((t2 - t0) / 1e9), keys / ((t1 - t0) / 1e9));
      }
      // before the sockets close: their threads' times go with them
      System.out.println("CPU s of this process by thread name, all rounds: " + cpuByThreadName());
    }
  }

  private static SyncSocket node() {
    return new SyncSocket.Builder().host("127.0.0.1").port(0).leasing(false).maxOutgoing(0).build();
  }

  private static void waitUntil(java.util.function.BooleanSupplier done) {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("timed out after 5 minutes");
      }
      LockSupport.parkNanos(100_000);
    }
  }

  /** CPU seconds of every thread of this process, by name less its digits. */
  private static Map<String, String> cpuByThreadName() throws IOException {
    Map<String, Double> seconds = new TreeMap<>();
    double tick = 100.0; // USER_HZ: 100 on every Linux build the bench runs on
    ProcThreads.ticksByName(Path.of("/proc/self"))
        .forEach((name, ticks) -> seconds.merge(name.replaceAll("[0-9]+", "N"), ticks / tick, Double::sum));
    Map<String, String> out = new TreeMap<>();
    seconds.forEach((k, v) -> {
      if (v >= 0.05) {
        out.put(k, String.format(Locale.ROOT, "%.2f", v));
      }
    });
    return out;
  }
}
