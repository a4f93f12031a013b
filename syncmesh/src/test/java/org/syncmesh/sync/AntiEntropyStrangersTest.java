package org.syncmesh.sync;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * Two nodes that never met (or both restarted: a node remembers whom it was in sync with only
 * while it runs): each took the same 20,000 keys from a third node, lost it, and changed hundreds
 * of keys of its own (new keys, updates, deletes of the same keys now and then). When they link,
 * nothing tells them what changed since, so the round compares digests down to the rows of most
 * of the 4,096 buckets, in many rows messages each way, all read from one walk of each store while
 * both nodes keep writing. They must end with the same whole state.
 */
final class AntiEntropyStrangersTest {

  private static final int SHARED = 20_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void nodesThatNeverMet_differingInMostBuckets_whileBothWrite_endIdentical() throws Exception {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    SyncSocket c = Cluster.node(net, false);
    SyncSocket a = Cluster.node(net, false);
    SyncSocket b = Cluster.node(net, false);
    Map<Object, Object> batch = new LinkedHashMap<>();
    for (int i = 0; i < SHARED; i++) {
      batch.put("c-" + i, "shared " + i);
      if (batch.size() == 1_000) {
        c.update(batch);
        batch.clear();
      }
    }
    List<Cluster.Link> toC = List.of(Cluster.link(net, a, c), Cluster.link(net, b, c));
    for (SyncSocket n : List.of(a, b)) {
      await(n + " to copy c").atMost(WAIT).until(() -> n.snapshot().equals(c.snapshot()));
    }
    toC.forEach(l -> l.proxy().partition());
    Cluster.awaitDown(toC, WAIT, "c gone");

    change(a, "a", new SplittableRandom(random.nextLong()), 1_200);
    change(b, "b", new SplittableRandom(random.nextLong()), 1_200);
    ExecutorService writers = Executors.newFixedThreadPool(2);
    try {
      long seedA = random.nextLong();
      long seedB = random.nextLong();
      Future<?> onA = writers.submit(() -> change(a, "a2", new SplittableRandom(seedA), 400));
      Future<?> onB = writers.submit(() -> change(b, "b2", new SplittableRandom(seedB), 400));
      Cluster.link(net, b, a);
      onA.get(30, TimeUnit.SECONDS);
      onB.get(30, TimeUnit.SECONDS);
    } finally {
      writers.shutdownNow();
      writers.awaitTermination(10, TimeUnit.SECONDS);
    }
    try {
      Cluster.awaitIdentical(List.of(a, b), WAIT, "after the link-up round");
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + " (replay with -Dsyncmesh.seed=" + seed + "): " + e.getMessage(), e);
    }
  }

  /** {@code count} random changes: a new key of this node's own, an update or a delete of a shared key. */
  private static void change(SyncSocket node, String prefix, SplittableRandom random, int count) {
    for (int i = 0; i < count; i++) {
      int op = random.nextInt(10);
      String shared = "c-" + random.nextInt(SHARED);
      if (op < 5) {
        node.set(prefix + "-" + i, "new " + i);
      } else if (op < 8) {
        node.set(shared, prefix + " was here " + i);
      } else {
        node.del(shared);
      }
    }
  }
}
