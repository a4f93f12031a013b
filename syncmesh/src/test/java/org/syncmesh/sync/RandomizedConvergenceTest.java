package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.Bytes;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * A seeded history of faults: five nodes linked pairwise through fault proxies, 100 rounds, each
 * doing one of: partition a random subset of links, blackhole some (bytes dropped, links kept) or
 * tear a frame on some, heal them all, close a node and make a new
 * one in its place (new id, empty dictionary, linked to every other node), or let a few nodes
 * write at once (sets, deletes, deltas) on a small key space. At the end everything heals and
 * every node must hold the same whole state. A failure names the seed; {@code -Dsyncmesh.seed=N}
 * replays the same choices (the thread interleavings differ).
 */
final class RandomizedConvergenceTest {

  private static final int NODES = 5;
  private static final int ROUNDS = 100;
  private static final int KEY_SPACE = 12;
  private static final int WRITES_PER_WRITER = 40;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final List<SyncSocket> nodes = new ArrayList<>();
  private final List<Cluster.Link> links = new ArrayList<>();
  private final List<String> history = new ArrayList<>();

  @ParameterizedTest(name = "leasing {0}")
  @ValueSource(booleans = {true, false})
  void hundredRoundsOfPartitionsRestartsAndConcurrentWrites_endIdenticalAfterHealing(boolean leasing) throws Exception {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    ExecutorService writers = Executors.newFixedThreadPool(3);
    try {
      for (int i = 0; i < NODES; i++) {
        nodes.add(Cluster.node(net, leasing));
      }
      links.addAll(Cluster.fullMesh(net, nodes));
      for (int r = 0; r < ROUNDS; r++) {
        int op = random.nextInt(10);
        if (op < 2) {
          partition(random);
        } else if (op < 3) {
          blackholeOrTear(random);
        } else if (op < 5) {
          links.forEach(l -> l.proxy().heal());
          history.add("heal");
        } else if (op < 6) {
          recreate(random.nextInt(NODES), leasing);
        } else {
          write(random, writers);
        }
      }
      links.forEach(l -> l.proxy().heal());
      Cluster.awaitUp(links, Duration.ofSeconds(30), "after the last heal");
      Cluster.awaitIdentical(nodes, Duration.ofSeconds(60), "after the last heal");
      checkEveryNode();
      SyncSocket last = nodes.get(random.nextInt(NODES));
      last.set("after the storm", "reaches all");
      for (SyncSocket n : nodes) {
        await(n + " to hold the last write").atMost(Duration.ofSeconds(10))
            .until(() -> "reaches all".equals(n.get("after the storm", null)));
      }
      Cluster.awaitIdentical(nodes, Duration.ofSeconds(10), "after the last write");
    } catch (Exception | AssertionError e) {
      throw new AssertionError("seed " + seed + " (replay with -D" + Seeded.SEED_PROPERTY + "=" + seed + "), leasing "
          + leasing + "; history " + history + "\n" + e.getMessage(), e);
    } finally {
      writers.shutdownNow();
      assertThat(writers.awaitTermination(10, TimeUnit.SECONDS)).as("writers stopped").isTrue();
    }
  }

  private void partition(SplittableRandom random) {
    List<Integer> cut = new ArrayList<>();
    for (int i = 0; i < links.size(); i++) {
      if (random.nextInt(3) == 0) {
        links.get(i).proxy().partition();
        cut.add(i);
      }
    }
    history.add("partition " + cut);
  }

  /** Blackholes a random subset of links (bytes dropped, links kept open), or tears a frame on one. */
  private void blackholeOrTear(SplittableRandom random) {
    List<Integer> hit = new ArrayList<>();
    boolean tear = random.nextBoolean();
    for (int i = 0; i < links.size(); i++) {
      if (random.nextInt(4) == 0) {
        if (tear) {
          links.get(i).proxy().dropMidFrame(random.nextBoolean() ? FaultProxy.Direction.TO_TARGET
              : FaultProxy.Direction.TO_CLIENT);
        } else {
          links.get(i).proxy().blackhole();
        }
        hit.add(i);
      }
    }
    history.add((tear ? "tear " : "blackhole ") + hit);
  }

  /** Closes node {@code index} and puts a new one in its place, dialling every other node through new proxies. */
  private void recreate(int index, boolean leasing) {
    SyncSocket old = nodes.get(index);
    old.close();
    for (int i = links.size() - 1; i >= 0; i--) {
      Cluster.Link l = links.get(i);
      if (l.dialler() == old || l.target() == old) {
        l.proxy().close();
        links.remove(i);
      }
    }
    SyncSocket fresh = Cluster.node(net, leasing);
    nodes.set(index, fresh);
    for (SyncSocket other : nodes) {
      if (other != fresh) {
        links.add(Cluster.link(net, fresh, other));
      }
    }
    history.add("recreate " + index);
  }

  /** Two or three nodes write at once, each a few sets, deletes and deltas on the shared key space. */
  private void write(SplittableRandom random, ExecutorService pool) throws Exception {
    int count = 2 + random.nextInt(2);
    List<Integer> who = new ArrayList<>();
    List<Future<?>> done = new ArrayList<>();
    List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    for (int w = 0; w < count; w++) {
      int index = random.nextInt(NODES);
      who.add(index);
      SyncSocket node = nodes.get(index);
      SplittableRandom mine = random.split();
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < WRITES_PER_WRITER; i++) {
          String key = "k" + mine.nextInt(KEY_SPACE);
          int op = mine.nextInt(10);
          try {
            if (op < 5) {
              node.set(key, mine.nextInt(1000));
            } else if (op < 7) {
              node.del(key);
            } else {
              node.applyDelta(key, Map.of("f" + mine.nextInt(3), (long) mine.nextInt(1000)));
            }
          } catch (LeaseException refused) {
            // another node holds the key (leasing), or holds a newer write: an outcome, not a fault
          } catch (IllegalArgumentException notAMap) { // a delta on a key another write made a non-map
            if (!String.valueOf(notAMap.getMessage()).startsWith("cannot apply a delta")) {
              unexpected.add(notAMap);
            }
          } catch (RuntimeException e) {
            unexpected.add(e);
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    history.add("write " + who);
    assertThat(unexpected).as("writes that failed other than by a lease").isEmpty();
  }

  private void checkEveryNode() {
    for (SyncSocket n : nodes) {
      Map<Bytes, Store.Entry> state = n.snapshot();
      for (Map.Entry<Bytes, Store.Entry> e : state.entrySet()) {
        boolean live = e.getValue().value() != null;
        assertThat(n.keys().contains(e.getKey())).as(e.getKey() + " in keys() of " + n).isEqualTo(live);
        assertThat(n.meta(e.getKey()).orElseThrow().deleted()).as(e.getKey() + " on " + n).isEqualTo(!live);
      }
      assertThat(n.statusErrors()).as("status of " + n)
          .noneMatch(s -> s.contains("internal error") || s.contains("threw"));
    }
  }
}
