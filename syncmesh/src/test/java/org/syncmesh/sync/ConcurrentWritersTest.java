package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * Several linked nodes, each with several writer threads writing in bulk at once: every call
 * returns, and every node ends with the same whole state (keys, values, owners, timestamps).
 *
 * <p>This is the deadlock of issue 10: a writer holding the store's lock waited for send budget
 * that only the protocol thread releases, while the protocol thread waited for that lock to
 * apply the other node's writes. Each writer works on keys of its own (concurrent writes to one
 * key converge only with versions), mixing sets of 1 KB values, deltas and deletes, chosen by a
 * seeded random generator; a failure prints the seed, and {@code -Dsyncmesh.seed=N} replays it.
 */
final class ConcurrentWritersTest {

  private static final int KEYS_PER_WRITER = 400;
  private static final String KILOBYTE = "x".repeat(1000);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void twoLinkedNodes_twoWritersEach_200kWrites_neverBlockForever_andConverge() throws Exception {
    runLine(2, 2, 50_000);
  }

  @Test
  void threeNodesInALine_twoWritersEach_240kWrites_neverBlockForever_andConverge() throws Exception {
    runLine(3, 2, 40_000);
  }

  private void runLine(int nodeCount, int writersPerNode, int writesPerWriter) throws Exception {
    long seed = Seeded.seed();
    List<SyncSocket> nodes = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      nodes.add(net.track(new SyncSocket.Builder().maxOutgoing(0).build())); // a line: no auto-connect
    }
    for (int i = 1; i < nodeCount; i++) {
      nodes.get(i).connect("127.0.0.1", nodes.get(i - 1).port()).orTimeout(10, TimeUnit.SECONDS).join();
    }
    for (SyncSocket n : nodes) {
      await(n + " to see its neighbours").atMost(Duration.ofSeconds(10))
          .until(() -> n.routingTable().size() == (nodes.size() == 2 || n == nodes.get(0)
              || n == nodes.get(nodes.size() - 1) ? 1 : 2));
    }
    AtomicLong progress = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService writers = Executors.newFixedThreadPool(nodeCount * writersPerNode);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int n = 0; n < nodeCount; n++) {
        for (int w = 0; w < writersPerNode; w++) {
          SyncSocket node = nodes.get(n);
          String prefix = n + "/" + w + "/";
          SplittableRandom random = new SplittableRandom(seed * 31 + n * 7 + w);
          done.add(writers.submit(() -> {
            start.await();
            write(node, prefix, random, writesPerWriter, progress);
            return null;
          }));
        }
      }
      start.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (Future<?> f : done) {
        try {
          f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("a writer's call never returned (seed " + seed + "; " + progress.get()
              + " writes done)", e);
        }
      }
    } finally {
      writers.shutdownNow();
      assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
    assertThat(progress.get()).isEqualTo((long) nodeCount * writersPerNode * writesPerWriter);
    SyncSocket first = nodes.get(0);
    for (SyncSocket n : nodes) {
      await(n + " to hold the same state as " + first + " (seed " + seed + ")").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> state(n).equals(state(first)));
      assertThat(n.status()).as(n + " status, seed " + seed).isEqualTo("Nominal");
    }
    assertThat(state(first)).as("seed " + seed).isNotEmpty();
  }

  private static void write(SyncSocket node, String prefix, SplittableRandom random, int count, AtomicLong progress) {
    for (int i = 0; i < count; i++) {
      String key = prefix + random.nextInt(KEYS_PER_WRITER);
      int op = random.nextInt(10);
      if (op < 7) {
        node.set(key, KILOBYTE + i);
      } else if (op < 9) {
        Object current = node.get(key, null);
        if (current == null || current instanceof Map) {
          node.applyDelta(key, Map.of("f" + random.nextInt(4), (long) i));
        } else {
          node.set(key, Map.of("f0", (long) i));
        }
      } else {
        node.del(key);
      }
      progress.incrementAndGet();
    }
  }

  /** The whole state of a node: every key and tombstone with its value, version, owner, timestamp, tenure and fields. */
  static Map<Bytes, Store.Entry> state(SyncSocket node) {
    return node.snapshot();
  }
}
