package org.syncmesh.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.syncmesh.sync.PeerSyncState;
import org.syncmesh.sync.SyncSocket;

/**
 * Anti-entropy benchmark (bench/README.md, "Anti-entropy"): two syncmesh nodes in this JVM, each
 * holding the same n keys of 100 B (n/2 written by each, leasing on), linked through a
 * byte-counting TCP relay of this class. The link is cut, d keys change (d/2 on each side, each
 * node changing keys it owns), and the link comes back: time from the dial to identical states
 * (every changed key's meta equal on both sides) and bytes through the relay until both sides have
 * ended the link-up round (handshake included). Also: bytes per second on an idle standing link
 * (default interval 2 s) and the time a fresh empty node takes to receive all n keys (a link-up
 * whose round is a send-all, the initial-sync rate).
 *
 * <pre>
 * java -Xmx1g -cp target/classes:bench/target/bench.jar org.syncmesh.bench.AntiEntropyBench \
 *     [--keys 100000] [--runs 3] [--diffs 0,1,1000,100000] [--idle-s 10] [--leasing true] [--out FILE]
 * </pre>
 */
public final class AntiEntropyBench {

  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(120);

  private AntiEntropyBench() {}

  public static void main(String[] args) throws Exception {
    int keys = 100_000;
    int runs = 3;
    int idleSeconds = 10;
    int[] diffs = {0, 1, 1000, 100_000};
    Path out = null;
    boolean leasing = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--idle-s" -> idleSeconds = Integer.parseInt(args[++i]);
        case "--diffs" -> diffs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--out" -> out = Path.of(args[++i]);
        case "--leasing" -> leasing = Boolean.parseBoolean(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String loadBefore = Figures.load();
    Figures figures = new Figures();
    for (int r = 1; r <= runs; r++) {
      System.err.printf("run %d of %d%n", r, runs);
      run(keys, diffs, idleSeconds, leasing, figures);
    }
    StringBuilder md = new StringBuilder(figures.table());
    md.append(String.format("%nleasing %s; keys %,d of 100 B values; load average before / after: %s / %s; %s%n", leasing, keys,
        loadBefore, Figures.load(), Instant.now()));
    System.out.print(md);
    if (out != null) {
      Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    }
  }

  private static void run(int n, int[] diffs, int idleSeconds, boolean leasing, Figures figures)
      throws Exception {
    try (SyncSocket a = new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).build();
        SyncSocket b = new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).build();
        SyncSocket fresh = new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).build();
        Relay relay = new Relay(a.port())) {
      fill(a, 0, n / 2, 0);
      fill(b, n / 2, n, 0);
      long t0 = System.nanoTime();
      dial(b, a, relay.port());
      awaitTrue("the first sync", () -> a.size() == n && b.size() == n);
      System.err.printf("  first sync (both ways, n/2 each): %.2f s%n", (System.nanoTime() - t0) / 1e9);

      // The initial-sync rate: a fresh empty node dials a (directly) and receives everything.
      t0 = System.nanoTime();
      dial(fresh, a, a.port());
      awaitTrue("the fresh node to hold every key", () -> fresh.size() == n);
      figures.record("fresh empty node receives all " + String.format("%,d", n) + " keys: s",
          (System.nanoTime() - t0) / 1e9);
      fresh.close();

      // Idle: a standing link whose states are identical, timer rounds every 2 s (the default).
      awaitRoundAfter(a, b, new Instant[2]);
      long idleBytes = relay.bytes();
      long idleStart = System.nanoTime();
      long idleEnd = idleStart + TimeUnit.SECONDS.toNanos(idleSeconds);
      while (System.nanoTime() < idleEnd) { // the measurement window itself, not a synchronisation
        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleEnd - System.nanoTime())));
      }
      double idleRate = (relay.bytes() - idleBytes) / ((System.nanoTime() - idleStart) / 1e9);
      figures.record("idle standing link, default interval 2 s: bytes/s (both ways)", idleRate);

      int generation = 0;
      for (int d : diffs) {
        generation++;
        relay.partition();
        awaitTrue("the partition", () -> !a.routingTable().containsKey(b.id()) && !b.routingTable().containsKey(a.id()));
        // d/2 of a's keys change on a, d - d/2 of b's on b.
        int onA = d / 2;
        int onB = d - onA;
        fill(a, 0, onA, generation);
        fill(b, n / 2, n / 2 + onB, generation);
        long entryBytes = 0;
        for (int i = 0; i < onA; i++) {
          entryBytes += key(i).length() + 100;
        }
        for (int i = n / 2; i < n / 2 + onB; i++) {
          entryBytes += key(i).length() + 100;
        }
        final int fa = onA;
        final int fb = onB;
        relay.heal();
        long bytesBefore = relay.bytes();
        long start = System.nanoTime();
        dial(b, a, relay.port());
        awaitTrue("identical states", () -> same(a, b, 0, fa) && same(a, b, n / 2, n / 2 + fb));
        double seconds = (System.nanoTime() - start) / 1e9;
        awaitRoundAfter(a, b, new Instant[2]);
        long bytes = relay.bytes() - bytesBefore;
        String dn = String.format("d=%,d", d);
        figures.record(dn + ": link-up to identical, s", seconds);
        figures.record(dn + ": bytes, link-up to round end (handshake included)", bytes);
        if (d > 0) {
          figures.record(dn + ": bytes minus the changed entries' own key+value bytes (" + String.format("%,d", entryBytes)
              + ")", bytes - entryBytes);
          strangers(a, n, d, leasing, figures);
        }
      }
    }
  }

  /**
   * Two nodes that never met, or that both restarted (a node remembers whom it was in sync with
   * only while it runs; one that restarts alone is sent what changed by the peer that remembers
   * it): each takes all n keys from {@code a} (so both hold the same versions), leaves
   * it, writes d/2 new keys of its own, then one dials the other. Nothing tells them what changed
   * since, so the round compares digests down to the rows of every differing bucket.
   */
  private static void strangers(SyncSocket a, int n, int d, boolean leasing, Figures figures) throws Exception {
    try (SyncSocket s1 = new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).build();
        SyncSocket s2 = new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).build();
        Relay relay = new Relay(s1.port())) {
      for (SyncSocket s : List.of(s1, s2)) {
        dial(s, a, a.port());
        awaitTrue("a copy of a", () -> s.size() == a.size());
        s.disconnect(a.id());
        awaitTrue("leaving a", () -> !s.routingTable().containsKey(a.id()) && !a.routingTable().containsKey(s.id()));
      }
      int held = a.size();
      int first = n + d; // past every key a holds
      fill(s1, first, first + d / 2, 0);
      fill(s2, first + d / 2, first + d, 0);
      long start = System.nanoTime();
      dial(s2, s1, relay.port());
      awaitTrue("identical states", () -> s1.size() == held + d && s2.size() == held + d
          && same(s1, s2, first, first + d));
      double seconds = (System.nanoTime() - start) / 1e9;
      awaitRoundAfter(s1, s2, new Instant[2]);
      String dn = String.format("d=%,d", d);
      figures.record(dn + " new keys, nodes that never met (or both restarted): link-up to identical, s", seconds);
      figures.record(dn + " new keys, nodes that never met (or both restarted): bytes, link-up to round end", relay.bytes());
    }
  }

  private static String key(int i) {
    return String.format("a%015d", i);
  }

  private static String value(int i, int generation) {
    StringBuilder s = new StringBuilder(100);
    long x = i * 0x9e3779b97f4a7c15L + generation * 0xc2b2ae3d27d4eb4fL;
    while (s.length() < 100) {
      x ^= x >>> 33;
      x *= 0xff51afd7ed558ccdL;
      x ^= x >>> 33;
      s.append(Long.toString(x & Long.MAX_VALUE, 36));
    }
    return s.substring(0, 100);
  }

  /** Writes keys [from, to) with this generation's values, 10,000 per update. */
  private static void fill(SyncSocket node, int from, int to, int generation) {
    for (int start = from; start < to; start += 10_000) {
      Map<String, String> batch = new LinkedHashMap<>();
      for (int i = start; i < Math.min(to, start + 10_000); i++) {
        batch.put(key(i), value(i, generation));
      }
      node.update(batch);
    }
  }

  private static boolean same(SyncSocket a, SyncSocket b, int from, int to) {
    for (int i = from; i < to; i++) {
      String k = key(i);
      if (!Objects.equals(a.meta(k), b.meta(k))) {
        return false;
      }
    }
    return a.size() == b.size();
  }

  private static void dial(SyncSocket dialler, SyncSocket target, int port) {
    dialler.connect("127.0.0.1", port).orTimeout(10, TimeUnit.SECONDS).join();
    awaitTrue("the link", () -> target.routingTable().containsKey(dialler.id())
        && dialler.routingTable().containsKey(target.id()));
  }

  private static Instant[] lastRounds(SyncSocket a, SyncSocket b) {
    PeerSyncState sa = a.peerSync().get(b.id());
    PeerSyncState sb = b.peerSync().get(a.id());
    return new Instant[] {sa == null ? null : sa.lastRound(), sb == null ? null : sb.lastRound()};
  }

  /** Waits until both sides have ended a round after {@code since}. */
  private static void awaitRoundAfter(SyncSocket a, SyncSocket b, Instant[] since) {
    awaitTrue("a round on both sides", () -> {
      Instant[] now = lastRounds(a, b);
      for (int i = 0; i < 2; i++) {
        if (now[i] == null || (since[i] != null && !now[i].isAfter(since[i]))) {
          return false;
        }
      }
      return true;
    });
  }

  /** Polls every millisecond (a benchmark's busy-ish wait, bounded). */
  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  /**
   * A byte-counting TCP relay on 127.0.0.1 to {@code targetPort}: two threads per connection,
   * counting what they forward. {@link #partition()} closes every connection and refuses new ones
   * until {@link #heal()}.
   */
  static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final AtomicLong forwarded = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    Relay(int targetPort) {
      this.targetPort = targetPort;
      try {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      start("relay-accept", this::acceptLoop);
    }

    int port() {
      return server.getLocalPort();
    }

    long bytes() {
      return forwarded.get();
    }

    void partition() {
      refusing = true;
      for (Socket s : sockets) {
        closeQuietly(s);
      }
      sockets.clear();
    }

    void heal() {
      refusing = false;
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        Socket client;
        try {
          client = server.accept();
        } catch (IOException e) {
          return;
        }
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Socket target = new Socket();
        try {
          client.setTcpNoDelay(true);
          target.setTcpNoDelay(true);
          target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        } catch (IOException e) {
          closeQuietly(client);
          closeQuietly(target);
          continue;
        }
        sockets.add(client);
        sockets.add(target);
        start("relay-up", () -> pump(client, target));
        start("relay-down", () -> pump(target, client));
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buf = new byte[64 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          forwarded.addAndGet(n);
        }
      } catch (IOException e) {
        // closed: the connection ends
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }

    private void start(String name, Runnable body) {
      Thread t = new Thread(body, name);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }

    @Override
    public void close() throws InterruptedException {
      try {
        server.close();
      } catch (IOException e) {
        // already closed
      }
      partition();
      for (Thread t : threads) {
        t.join(5_000);
      }
    }
  }
}
