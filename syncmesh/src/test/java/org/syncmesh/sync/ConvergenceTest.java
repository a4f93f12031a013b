package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;

/**
 * What protocol 0.7 promises about convergence, and where it cannot: concurrent stores with
 * leasing off converge (newer second wins, same second goes to the smaller id, one origin's
 * writes arrive in order); concurrent deltas and leased writes from different seconds depend on
 * arrival order, and the network keeps different values (docs/protocol-0.7.md §13.10).
 */
final class ConvergenceTest {

  private static final Bytes K = Bytes.utf8("k");

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void tenNodesTimesThousandKeys_endWithIdenticalItems() throws Exception {
    List<SyncSocket> nodes = line(10, true);
    ExecutorService writers = Executors.newFixedThreadPool(4);
    try {
      for (SyncSocket n : nodes) {
        writers.submit(() -> {
          for (int i = 0; i < 1_000; i++) {
            n.set(n.port() + "/" + i, i);
          }
        });
      }
    } finally {
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    for (SyncSocket n : nodes) {
      org.awaitility.Awaitility.await(n + " to hold 10,000 keys").atMost(java.time.Duration.ofSeconds(60))
          .until(() -> n.size() == 10_000);
    }
    Map<Bytes, Object> first = nodes.get(0).items();
    for (SyncSocket n : nodes) {
      assertThat(n.items()).isEqualTo(first);
      assertThat(n.status()).isEqualTo("Nominal");
    }
  }

  @Test
  void concurrentWritersToOneKey_leasingOff_endIdenticalOnAllNodes() throws Exception {
    List<SyncSocket> nodes = line(5, false);
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService writers = Executors.newFixedThreadPool(nodes.size());
    List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
    try {
      for (SyncSocket n : nodes) {
        writers.submit(() -> {
          start.await();
          for (int i = 0; i < 300; i++) {
            try {
              n.set(K, n.port() + "#" + i);
            } catch (LeaseException refused) {
              // an older or same-second-larger-id write than the one held: refused, as it should be
            } catch (RuntimeException e) {
              unexpected.add(e);
            }
          }
          return null;
        });
      }
      start.countDown();
    } finally {
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(unexpected).isEmpty();
    org.awaitility.Awaitility.await("every node to hold the same value and owner")
        .atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> nodes.stream().map(n -> List.of(n.get(K, ""), n.meta(K).orElseThrow())).distinct().count() == 1);
  }

  @Test
  void concurrentDeltas_leasingOff_mergeFieldByField_andConverge() {
    // Two nodes apply deltas to one map before hearing of each other's: one field both wrote,
    // one field each. After swapping states (in either order, twice) both hold the same map:
    // the shared field from the later delta, the others from their own.
    long now = 1_700_000_000L;
    StoreTest.Recorder rx = new StoreTest.Recorder();
    StoreTest.Recorder ry = new StoreTest.Recorder();
    LocalStore x = new LocalStore("X", false, rx);
    LocalStore y = new LocalStore("Y", false, ry);
    x.delta(K, Map.of("f", "x's", "onlyX", 1));
    ry.now = now + 1;
    y.delta(K, Map.of("f", "y's", "onlyY", 2));
    Store.Entry fromX = x.entry(K);
    Store.Entry fromY = y.entry(K);
    x.remote(K, fromY, "Y");
    y.remote(K, fromX, "X");
    y.remote(K, fromX, "X"); // again: nothing changes
    assertThat(x.entry(K)).isEqualTo(y.entry(K));
    assertThat(x.entry(K).value()).isEqualTo(Map.of("f", "y's", "onlyX", 1L, "onlyY", 2L));
    assertThat(x.entry(K).meta().owner()).isEqualTo("Y");
  }

  @Test
  void leasedClaimsHeardInDifferentOrders_convergeOnTheEarlierClaim() {
    // C hears A's write first, D hears B's first; each refuses the other's under the live lease,
    // as 0.7 would. Their states then meet (anti-entropy): one epoch, two claims; A's is earlier.
    long t = 1_700_000_000L;
    LocalStore c = new LocalStore("C", true, new StoreTest.Recorder());
    LocalStore d = new LocalStore("D", true, new StoreTest.Recorder());
    c.remoteStore(K, "A's", new MetaTuple("A", t), false, false, "A");
    c.remoteStore(K, "B's", new MetaTuple("B", t + 1), false, false, "B");
    d.remoteStore(K, "B's", new MetaTuple("B", t + 1), false, false, "B");
    d.remoteStore(K, "A's", new MetaTuple("A", t), false, false, "A");
    assertThat(c.entry(K).value()).isEqualTo("A's");
    assertThat(d.entry(K).value()).isEqualTo("B's");
    Store.Entry fromC = c.entry(K);
    Store.Entry fromD = d.entry(K);
    c.remote(K, fromD, "D");
    d.remote(K, fromC, "C");
    assertThat(d.entry(K)).isEqualTo(c.entry(K));
    assertThat(d.entry(K).value()).isEqualTo("A's");
  }

  private List<SyncSocket> line(int count, boolean leasing) {
    List<SyncSocket> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SyncSocket n = net.track(new SyncSocket.Builder().leasing(leasing).maxOutgoing(0).build());
      if (!nodes.isEmpty()) {
        SyncSocket prev = nodes.get(nodes.size() - 1);
        n.connect("127.0.0.1", prev.port()).orTimeout(10, TimeUnit.SECONDS).join();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
            .until(() -> prev.routingTable().containsKey(n.id()));
      }
      nodes.add(n);
    }
    return nodes;
  }
}
