package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.Bytes;
import org.syncmesh.testing.Seeded;

/**
 * Durable nodes written to by several threads each, on overlapping keys, without leases: every
 * node ends with the same whole state, and with it again after all are closed and started from
 * their directories. The randomized variant also closes and restarts nodes while the others
 * write; a failure names the seed ({@code -Dsyncmesh.seed=N} replays the choices, not the timing).
 */
final class DurableConcurrentWritersTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int NODES = 3;
  private static final int WRITERS_PER_NODE = 3;
  private static final int KEYS = 40;

  @TempDir Path dir;
  private final @Nullable SyncSocket[] nodes = new SyncSocket[NODES];

  @AfterEach
  void closeAll() {
    for (SyncSocket s : nodes) {
      if (s != null) {
        s.close();
      }
    }
  }

  private SyncSocket start(int i) {
    SyncSocket s = new SyncSocket.Builder().leasing(false).maxOutgoing(0).antiEntropyInterval(Duration.ofMillis(500))
        .dataDirectory(dir.resolve("node" + i)).build();
    nodes[i] = s;
    return s;
  }

  /** Links every open node to every other open one with a lower index (a full mesh). */
  private void link() {
    for (int i = 0; i < NODES; i++) {
      for (int j = 0; j < i; j++) {
        SyncSocket a = nodes[i];
        SyncSocket b = nodes[j];
        if (a != null && b != null && !a.routingTable().containsKey(b.id())) {
          a.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();
        }
      }
    }
  }

  /** Each open node's writers, all at once: sets and deletes of keys every writer shares. */
  private void writeConcurrently(SplittableRandom random, int writesEach) throws Exception {
    List<SyncSocket> open = new ArrayList<>();
    for (SyncSocket s : nodes) {
      if (s != null) {
        open.add(s);
      }
    }
    int writers = open.size() * WRITERS_PER_NODE;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CyclicBarrier start = new CyclicBarrier(writers);
      List<Future<?>> done = new ArrayList<>();
      for (int n = 0; n < open.size(); n++) {
        for (int w = 0; w < WRITERS_PER_NODE; w++) {
          SyncSocket node = open.get(n);
          SplittableRandom mine = random.split();
          String writer = n + "/" + w;
          done.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < writesEach; i++) {
              String key = "k" + mine.nextInt(KEYS);
              if (mine.nextInt(8) == 0) {
                node.del(key);
              } else {
                node.set(key, writer + " #" + i);
              }
            }
            return null;
          }));
        }
      }
      for (Future<?> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private List<Map<Bytes, Store.Entry>> snapshots() {
    List<Map<Bytes, Store.Entry>> all = new ArrayList<>();
    for (SyncSocket s : nodes) {
      all.add(s.snapshot());
    }
    return all;
  }

  private boolean identical() {
    List<Map<Bytes, Store.Entry>> all = snapshots();
    return all.stream().allMatch(m -> m.equals(all.get(0)));
  }

  /** Every node converged; then closed and started again from its directory, identical again. */
  private void convergeAndRestart() {
    link();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(this::identical);
    for (SyncSocket s : nodes) {
      await().atMost(WAIT).until(() -> s.durableBacklog() == 0);
    }
    Map<Bytes, Store.Entry> converged = new HashMap<>(nodes[0].snapshot());
    assertThat(converged).isNotEmpty();
    for (int i = 0; i < NODES; i++) {
      nodes[i].close();
      nodes[i] = null;
    }
    for (int i = 0; i < NODES; i++) {
      assertThat(start(i).snapshot()).as("node %d after a restart", i).isEqualTo(converged);
    }
  }

  @Test
  void threeDurableNodes_threeWritersEach_overlappingKeys_endIdentical_andAgainAfterARestart() throws Exception {
    for (int i = 0; i < NODES; i++) {
      start(i);
    }
    link();
    writeConcurrently(new SplittableRandom(42), 150);
    convergeAndRestart();
  }

  @Test
  void randomClosesAndRestarts_whileOthersWrite_endIdentical() throws Exception {
    long seed = Seeded.seed();
    try {
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < NODES; i++) {
        start(i);
      }
      link();
      for (int round = 0; round < 6; round++) {
        int i = random.nextInt(NODES);
        if (nodes[i] != null) {
          long open = java.util.Arrays.stream(nodes).filter(java.util.Objects::nonNull).count();
          if (open > 1) {
            nodes[i].close();
            nodes[i] = null;
          }
        } else {
          start(i);
          link();
        }
        writeConcurrently(random, 20 + random.nextInt(60));
      }
      for (int i = 0; i < NODES; i++) {
        if (nodes[i] == null) {
          start(i);
        }
      }
      convergeAndRestart();
    } catch (Throwable t) {
      throw new AssertionError("failed with seed " + seed + " (replay with -Dsyncmesh.seed=" + seed + "): " + t, t);
    }
  }
}
