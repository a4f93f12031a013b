package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.Hlc;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Version;
import org.syncmesh.mesh.PeerInfo;
import org.syncmesh.mesh.spi.MeshExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;
import org.syncmesh.wire.Flags;

/**
 * A secure leasing network (docs/extension-v1.md §8.4) under a seeded random history: honest nodes
 * store, delete and apply deltas to shared keys, several at once, while the clock jumps by seconds
 * or by more than the lease, and a cheating member signs takeovers of random keys (early, back-dated,
 * or in the current epoch with a later claim) and sends each to some of its peers only. Every node,
 * the cheater and a late joiner included, ends with the same whole state: visible states and
 * histories. The seed is printed; rerun one with {@code -Dsyncmesh.seed=…}.
 */
final class EarlyTakeoverRandomizedTest {

  private static final Duration WAIT = Duration.ofSeconds(45);
  private static final long T0 = 1_700_000_000L;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final FakeClock clock = new FakeClock(T0);

  private SyncSocket node(NodeIdentity identity) {
    return Cluster.node(net, true, b -> b.signedForTests(identity).clock(clock).maxClockDrift(Duration.ofHours(5)));
  }

  @Test
  void concurrentHonestWritersAndACheater_everyNodeEndsWithTheSameWholeState() throws Exception {
    long seed = Seeded.seed();
    try {
      run(new Random(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("EarlyTakeoverRandomizedTest failed with seed " + seed + " (rerun with -Dsyncmesh.seed="
          + seed + "): " + e.getMessage(), e);
    }
  }

  private void run(Random random) throws Exception {
    int n = 4;
    List<SyncSocket> honest = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      honest.add(node(NodeIdentity.generate()));
      if (i > 0) {
        SignedWritesTest.link(honest.get(i), honest.get(random.nextInt(i))); // a random tree
      }
    }
    SignedWritesTest.link(honest.get(n - 1), honest.get(0)); // and a cycle: copies arrive out of order
    NodeIdentity evilKey = NodeIdentity.generate();
    SyncSocket m = node(evilKey);
    SignedWritesTest.link(m, honest.get(0));
    SignedWritesTest.link(m, honest.get(1 + random.nextInt(n - 1)));
    List<SyncSocket> all = new ArrayList<>(honest);
    all.add(m);

    int grabs = 0;
    for (int round = 0; round < 8; round++) {
      // Every honest node writes at once, from its own thread.
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        SyncSocket at = honest.get(i);
        long nodeSeed = random.nextLong();
        writers.add(CompletableFuture.runAsync(() -> write(at, new Random(nodeSeed))));
      }
      for (int g = random.nextInt(4); g > 0; g--) {
        grabs += grab(m, evilKey, random) ? 1 : 0;
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      long[] jumps = {0, 1, 2, 1800, 3601};
      clock.advanceSeconds(jumps[random.nextInt(jumps.length)]);
    }
    EarlyTakeoverTest.awaitWholeStatesEqual(all);
    SignedDeltasRandomizedTest.assertProved(honest, true);
    long refused = honest.stream().mapToLong(SyncSocket::earlyTakeovers).sum();
    System.out.println(grabs + " grabs sent, " + refused + " early takeovers refused over the honest nodes, "
        + honest.get(0).wholeState().values().stream().mapToInt(List::size).sum() + " records on each");

    SyncSocket late = node(NodeIdentity.generate());
    SignedWritesTest.link(late, honest.get(random.nextInt(n)));
    all.add(late);
    EarlyTakeoverTest.awaitWholeStatesEqual(all);
    assertThat(late.snapshot()).isEqualTo(honest.get(0).snapshot());
  }

  /** One honest node's writes of a round: stores, deletes and deltas of shared keys; refusals by a lease are fine. */
  private static void write(SyncSocket at, Random random) {
    for (int op = 0; op < 40; op++) {
      String key = "k" + random.nextInt(6);
      int kind = random.nextInt(10);
      CompletableFuture<?> f;
      if (kind < 5) {
        f = at.setAsync(key, "v" + random.nextInt(100));
      } else if (kind < 8) {
        f = at.applyDeltaAsync(key, Map.of("f" + random.nextInt(4), (long) random.nextInt(100)));
      } else {
        f = at.delAsync(key);
      }
      f.exceptionally(e -> null).join(); // LeaseException, or a delta on a non-map: refused locally, fine
    }
  }

  /**
   * The cheater signs, as itself, a write of a random key it holds: the next epoch (or the one after)
   * claimed now or back-dated, or the current epoch with a later claim; sent to some of its peers.
   * Whether it is early depends on the lease the receivers know; returns whether one was sent.
   */
  private boolean grab(SyncSocket m, NodeIdentity key, Random random) {
    Bytes k = Bytes.utf8("k" + random.nextInt(6));
    Store.Entry held = m.snapshot().get(k);
    if (held == null) {
      return false;
    }
    long nowMillis = clock.millis() + random.nextInt(1000);
    long second = nowMillis / 1000;
    int kind = random.nextInt(3);
    int epoch = kind == 2 ? held.epoch() : held.epoch() + 1 + random.nextInt(2);
    long claimSecond = kind == 1 ? second - 1 - random.nextInt(40) : second; // back-dated within the waterfall's minute
    long writeMillis = kind == 1 ? claimSecond * 1000 + random.nextInt(1000) : nowMillis;
    Version v = new Version(Hlc.of(writeMillis, random.nextInt(100)), m.id());
    Version claim = Resolution.claim(claimSecond, m.id());
    Object value = random.nextBoolean() ? "grabbed-" + random.nextInt(100) : null;
    SignedWrites.Signed signed = new SignedWrites(key, m.protocol().id(), id -> false)
        .sign(k, value, v, writeMillis / 1000, new Resolution.Tenure(epoch, claim));
    Set<String> to = new HashSet<>();
    for (PeerInfo p : m.routingTable().values()) {
      if (random.nextBoolean()) {
        to.add(p.id());
      }
    }
    MeshExtension.Node node = m.node();
    node.broadcast(node.frame(ExtMessages.signedWrite(m.id(), writeMillis / 1000, Flags.SUB_SM_WRITE, k, value,
        v.hlc(), epoch, claim, signed)), p -> to.contains(p.id()));
    return !to.isEmpty();
  }
}
