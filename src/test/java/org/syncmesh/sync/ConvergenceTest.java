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
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Bytes;

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
  void concurrentDeltas_leasingOff_divergeByArrivalOrder() {
    // Two nodes apply a delta to the same field before hearing of the other's. Each then
    // receives the other's delta, which condition 3 always accepts, so each ends with the
    // other's value and the other as owner: the network diverges (no protocol-0.7 fix).
    LocalStore x = new LocalStore("X", false, new StoreTest.Recorder());
    LocalStore y = new LocalStore("Y", false, new StoreTest.Recorder());
    x.delta(K, Map.of("f", "x's"));
    y.delta(K, Map.of("f", "y's"));
    long now = 1_700_000_000L;
    x.remoteDelta(K, Map.of("f", "y's"), new MetaTuple("Y", now), false, "Y");
    y.remoteDelta(K, Map.of("f", "x's"), new MetaTuple("X", now), false, "X");
    assertThat(x.entry(K).value()).isEqualTo(Map.of("f", "y's"));
    assertThat(y.entry(K).value()).isEqualTo(Map.of("f", "x's"));
  }

  @Test
  void leasedWritesInDifferentSeconds_divergeByArrivalOrder() {
    // C hears A's write first, D hears B's first; each refuses the other under the live lease.
    long t = 1_700_000_000L;
    LocalStore c = new LocalStore("C", true, new StoreTest.Recorder());
    LocalStore d = new LocalStore("D", true, new StoreTest.Recorder());
    c.remoteStore(K, "A's", new MetaTuple("A", t), false, false, "A");
    c.remoteStore(K, "B's", new MetaTuple("B", t + 1), false, false, "B");
    d.remoteStore(K, "B's", new MetaTuple("B", t + 1), false, false, "B");
    d.remoteStore(K, "A's", new MetaTuple("A", t), false, false, "A");
    assertThat(c.entry(K).value()).isEqualTo("A's");
    assertThat(d.entry(K).value()).isEqualTo("B's");
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
