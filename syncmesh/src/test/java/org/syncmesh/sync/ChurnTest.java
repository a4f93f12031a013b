package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.Seeded;

/**
 * Six nodes, one of them writing 1,000 keys while each of the other five is closed and made anew
 * three times (an in-memory node comes back as a new node: new id, empty dictionary), seeded with
 * the address of a node that is up. Writes and churn run at once, in 15 steps that meet at a
 * barrier. At the end every live node holds the same whole state, with all 1,000 keys. Nodes dial
 * on their own here (max outgoing 4), as a real mesh heals around nodes that leave.
 */
final class ChurnTest {

  private static final int KEYS = 1_000;
  private static final int OTHERS = 5;
  private static final int REBIRTHS = 3;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node() {
    return Cluster.node(net, true, b -> b.maxOutgoing(4));
  }

  @Test
  void oneWriterThousandKeys_whileFiveNodesAreRecreatedThreeTimesEach_liveNodesEndIdentical() throws Exception {
    long seed = Seeded.seed();
    SplittableRandom random = new SplittableRandom(seed);
    SyncSocket writer = node();
    List<SyncSocket> others = new ArrayList<>();
    for (int i = 0; i < OTHERS; i++) {
      SyncSocket n = node();
      n.connect("127.0.0.1", writer.port()).orTimeout(10, TimeUnit.SECONDS).join();
      others.add(n);
    }
    int steps = OTHERS * REBIRTHS;
    CyclicBarrier stepDone = new CyclicBarrier(2);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    String value = "value of key ";
    try {
      Future<?> writes = pool.submit(() -> {
        for (int s = 0; s < steps; s++) {
          for (int i = s * KEYS / steps; i < (s + 1) * KEYS / steps; i++) {
            writer.set("k" + i, value + i);
          }
          stepDone.await(30, TimeUnit.SECONDS);
        }
        return null;
      });
      List<Integer> closedPorts = new ArrayList<>();
      for (int s = 0; s < steps; s++) {
        int victim = s % OTHERS;
        SyncSocket old = others.get(victim);
        closedPorts.add(old.port());
        old.close();
        List<SyncSocket> live = new ArrayList<>(others);
        live.remove(victim);
        live.add(writer);
        SyncSocket seedNode = live.get(random.nextInt(live.size()));
        SyncSocket fresh = node();
        fresh.connect("127.0.0.1", seedNode.port()).orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(fresh.id()).isNotEqualTo(old.id());
        others.set(victim, fresh);
        stepDone.await(30, TimeUnit.SECONDS);
      }
      writes.get(30, TimeUnit.SECONDS);
    } catch (Exception | AssertionError e) {
      throw new AssertionError("seed " + seed + ": " + e, e);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    List<SyncSocket> live = new ArrayList<>(others);
    live.add(0, writer);
    for (SyncSocket n : live) {
      try {
        await(n + " to hold all " + KEYS + " keys (seed " + seed + ")").atMost(Duration.ofSeconds(30))
            .until(() -> n.size() == KEYS);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\n" + Cluster.describeDifferences(live), e);
      }
    }
    Cluster.awaitIdentical(live, Duration.ofSeconds(30), "seed " + seed);
    for (SyncSocket n : live) {
      assertThat(n.get("k0")).contains(value + 0);
      assertThat(n.get("k" + (KEYS - 1))).contains(value + (KEYS - 1));
      assertThat(n.meta("k" + (KEYS / 2)).orElseThrow().owner()).isEqualTo(writer.id());
      assertThat(n.tombstones()).isZero();
    }
  }
}
