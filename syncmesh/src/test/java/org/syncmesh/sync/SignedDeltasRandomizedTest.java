package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Concurrent signed deltas, stores and deletes from several nodes of a secure network (§8.5), in a
 * seeded random order over a random connected topology: every node ends with the same state, each
 * state proved by what it keeps, and a late joiner takes it all by anti-entropy. The seed is printed
 * on failure; rerun one with {@code -Dsyncmesh.seed=…}.
 */
final class SignedDeltasRandomizedTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private boolean leasing;

  private SyncSocket node() {
    return net.track(new SyncSocket.Builder().maxOutgoing(0).leasing(leasing).antiEntropyInterval(Duration.ofMillis(200))
        .signedForTests(NodeIdentity.generate()).build());
  }

  private static void link(SyncSocket from, SyncSocket to) {
    from.connect("127.0.0.1", to.port()).orTimeout(10, TimeUnit.SECONDS).join();
    Awaitility.await().atMost(WAIT).until(() -> to.routingTable().containsKey(from.id())
        && to.routingTable().get(from.id()).extensionVersion() >= 1);
  }

  @Test
  void concurrentSignedDeltasStoresAndDeletes_converge_everyStateProved() {
    check();
  }

  /** With leasing, writes to another node's live key are refused locally; what is written converges alike. */
  @Test
  void onALeasingNetwork_too() {
    leasing = true;
    check();
  }

  private void check() {
    long seed = Long.getLong("syncmesh.seed", System.nanoTime());
    try {
      run(new Random(seed));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("SignedDeltasRandomizedTest failed with seed " + seed + " (rerun with -Dsyncmesh.seed="
          + seed + "): " + e.getMessage(), e);
    }
  }

  private void run(Random random) {
    int n = 4;
    List<SyncSocket> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(node());
      if (i > 0) {
        link(nodes.get(i), nodes.get(random.nextInt(i))); // a random tree
      }
    }
    link(nodes.get(n - 1), nodes.get(0)); // and one cycle, so copies also arrive out of order

    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int op = 0; op < 300; op++) {
      SyncSocket at = nodes.get(random.nextInt(n));
      String key = "k" + random.nextInt(6);
      int kind = random.nextInt(10);
      CompletableFuture<?> f;
      if (kind < 6) {
        Map<Object, Object> delta = new LinkedHashMap<>();
        for (int i = 0, fields = 1 + random.nextInt(3); i < fields; i++) {
          delta.put("f" + random.nextInt(8), (long) random.nextInt(1000));
        }
        f = at.applyDeltaAsync(key, delta);
      } else if (kind < 8) {
        f = at.setAsync(key, random.nextBoolean() ? Map.of("f0", (long) op, "s", "store") : "plain-" + op);
      } else {
        f = at.delAsync(key);
      }
      pending.add(f.exceptionally(e -> null)); // a delta to a key holding a non-map is refused: fine
      if (random.nextInt(20) == 0) {
        pending.forEach(CompletableFuture::join);
        sleep(random.nextInt(50));
      }
    }
    pending.forEach(CompletableFuture::join);
    if (!leasing) { // and one map made by every node's deltas, concurrently
      List<CompletableFuture<?>> last = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        last.add(nodes.get(i).applyDeltaAsync("all", Map.of("n" + i, (long) i, "shared", (long) i)));
      }
      last.forEach(CompletableFuture::join);
    }
    awaitIdentical(nodes);
    assertProved(nodes);
    if (!leasing) {
      assertThat(((Map<?, ?>) nodes.get(0).get("all").orElseThrow())).hasSize(n + 1);
      assertThat(nodes.get(0).proofForTests("all")).isInstanceOf(SignedWrites.Writes.class);
      assertThat(((SignedWrites.Writes) nodes.get(0).proofForTests("all")).writes()).hasSize(n);
    }

    SyncSocket late = node();
    link(late, nodes.get(random.nextInt(n)));
    List<SyncSocket> all = new ArrayList<>(nodes);
    all.add(late);
    awaitIdentical(all);
    assertProved(all);
  }

  private static void awaitIdentical(List<SyncSocket> nodes) {
    Awaitility.await("identical snapshots").atMost(WAIT).until(() -> {
      Map<Bytes, Store.Entry> first = nodes.get(0).snapshot();
      return nodes.stream().allMatch(x -> x.snapshot().equals(first));
    });
  }

  /** Every state of every node proved by what it keeps, once the signers have handed back their last signatures. */
  static void assertProved(List<SyncSocket> nodes, boolean leasing) {
    SignedWrites checker = new SignedWrites(NodeIdentity.generate(), nodes.get(0).protocol().id(), id -> false, leasing);
    Awaitility.await("every state proved").atMost(WAIT).untilAsserted(() -> {
      for (SyncSocket x : nodes) {
        assertThat(x.forgedRemoteWrites()).as("%s forged", x).isZero();
        for (Map.Entry<Bytes, Store.Entry> e : x.snapshot().entrySet()) {
          SignedWrites.Proof proof = x.proofForTests(e.getKey());
          assertThat(proof).as("%s proof of %s", x, e).isNotNull();
          assertThat(checker.refusal(e.getKey(), e.getValue(), proof)).as("%s check of %s", x, e).isNull();
        }
      }
    });
  }

  private void assertProved(List<SyncSocket> nodes) {
    assertProved(nodes, leasing);
  }

  /**
   * Nine threads on three nodes write at once, so the signers sign batches of many writes: every
   * node ends with every write, each proved by its own batch signature, and some batches held more
   * than one write.
   */
  @Test
  void manyWritersAtOnce_signInBatches_andEveryWriteIsProvedAlone() throws Exception {
    List<SyncSocket> nodes = List.of(node(), node(), node());
    link(nodes.get(1), nodes.get(0));
    link(nodes.get(2), nodes.get(1));
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (SyncSocket x : nodes) {
      for (int t = 0; t < 3; t++) {
        String prefix = x.port() + "-" + t + "-";
        writers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 200; i++) {
            x.set(prefix + i, (long) i);
            if (i % 10 == 0) {
              x.set("shared-" + (i % 7), prefix + i); // some keys written by every node
            }
          }
        }));
      }
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    awaitIdentical(nodes);
    assertThat(nodes.get(0).size()).isEqualTo(3 * 3 * 200 + 7);
    assertProved(nodes);
    int largest = 0;
    for (Map.Entry<Bytes, Store.Entry> e : nodes.get(0).snapshot().entrySet()) {
      if (nodes.get(0).proofForTests(e.getKey()) instanceof SignedWrites.Signed s) {
        largest = Math.max(largest, java.nio.ByteBuffer.wrap(s.signature().toByteArray()).getShort(64));
      }
    }
    assertThat(largest).as("the largest batch").isGreaterThan(1).isLessThanOrEqualTo(BatchSignatures.MAX_BATCH);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
