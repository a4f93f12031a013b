package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A fresh node that links to several peers at once takes the whole store from one of them, not
 * from each (docs/extension-v1.md §5): D, holding nothing, dials A, B and C, which hold the same
 * {@value #KEYS} keys and keep writing while D joins; D ends with the same state as they, and the
 * entries anti-entropy brought it number about one copy of the store. Node ids are chosen so that
 * D starts every round with its peers (the smaller id starts) or answers theirs.
 */
final class AntiEntropyJoinTest {

  private static final int KEYS = 3000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @ParameterizedTest(name = "the joiner {0} the rounds")
  @ValueSource(strings = {"starts", "answers"})
  void aFreshNodeLinkedToThreePeersAtOnce_receivesTheStoreOnce(String role) {
    // Base58 ids compare as strings: "1" comes before any other, "z…" after the random ones.
    String joinerId = role.equals("starts") ? "1" : "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
    SyncSocket a = Cluster.node(net, false);
    SyncSocket b = Cluster.node(net, false);
    SyncSocket c = Cluster.node(net, false);
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    c.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();
    for (int i = 0; i < KEYS; i++) {
      a.set("k" + i, "value of key " + i + " written before D joins, long enough to take some room");
    }
    Cluster.awaitIdentical(List.of(a, b, c), WAIT, "before D joins");

    AtomicBoolean writing = new AtomicBoolean(true);
    List<SyncSocket> writers = List.of(a, b, c);
    CompletableFuture<Integer> during = CompletableFuture.supplyAsync(() -> {
      int n = 0;
      while (writing.get() && n < 20_000) {
        writers.get(n % 3).set("during/" + n, "written while D joins " + n);
        n++;
      }
      return n;
    });
    SyncSocket d = Cluster.node(net, false, o -> o.id(joinerId));
    List<CompletableFuture<?>> dials = new ArrayList<>();
    for (SyncSocket peer : writers) {
      dials.add(d.connect("127.0.0.1", peer.port()));
    }
    CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
    await("D to hold the keys written before it joined").atMost(WAIT).until(() -> d.keys().size() >= KEYS);
    writing.set(false);
    int writtenDuring = during.orTimeout(30, TimeUnit.SECONDS).join();
    Cluster.awaitIdentical(List.of(a, b, c, d), WAIT, "after D joined");

    assertThat(d.keys()).hasSize(KEYS + writtenDuring);
    long received = d.peerSync().values().stream().mapToLong(PeerSyncState::entriesReceived).sum();
    // One copy of the store, and what anti-entropy may carry of the writes made meanwhile; a copy
    // from each peer would be three times the store.
    assertThat(received).as("entries anti-entropy brought D from A, B and C: %s", d.peerSync())
        .isLessThanOrEqualTo(KEYS + writtenDuring + KEYS / 10);
  }
}
