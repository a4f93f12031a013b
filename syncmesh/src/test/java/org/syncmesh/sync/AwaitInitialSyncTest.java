package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.NodeIdentity;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Base58;

/**
 * {@link SyncSocket#awaitInitialSync()}: a joiner's future completes only once it holds every key
 * its peer held, with every update event delivered, whichever of the two starts the anti-entropy
 * round (the smaller id does; the two ids are chosen so that each case runs).
 */
final class AwaitInitialSyncTest {

  private static final int KEYS = 3000;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void joinerHoldsEveryKey_whenItCompletes_joinerStartsTheRound() throws Exception {
    joinerHoldsEveryKey("2", "z");
  }

  @Test
  void joinerHoldsEveryKey_whenItCompletes_holderStartsTheRound() throws Exception {
    joinerHoldsEveryKey("z", "2");
  }

  @Test
  void joinerHoldsEveryKey_whenItCompletes_signedWrites() throws Exception {
    // a secure network's entries are applied after their signatures are checked on other threads
    SyncSocket holder = net.track(Cluster.fast(true).signedForTests(NodeIdentity.generate()).build());
    SyncSocket joiner = net.track(Cluster.fast(true).signedForTests(NodeIdentity.generate()).build());
    joinerHoldsEveryKey(holder, joiner);
  }

  private void joinerHoldsEveryKey(String joinerPrefix, String holderPrefix) throws Exception {
    String suffix = Base58.encode(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    SyncSocket holder = net.track(Cluster.fast(true).id(holderPrefix + suffix).build());
    SyncSocket joiner = net.track(Cluster.fast(true).id(joinerPrefix + suffix).build());
    joinerHoldsEveryKey(holder, joiner);
  }

  private void joinerHoldsEveryKey(SyncSocket holder, SyncSocket joiner) throws Exception {
    SyncMap<String, String> held = holder.map(Codecs.string(), Codecs.string());
    Map<String, String> all = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      all.put("key/" + i, "value " + i);
    }
    holder.update(all);
    assertThat(held).hasSize(KEYS);

    AtomicInteger updates = new AtomicInteger();
    joiner.onUpdate((k, old, now) -> updates.incrementAndGet());
    AtomicReference<String> event = new AtomicReference<>();
    joiner.addListener(new SyncListener() {
      @Override
      public void onInitialSync(SyncSocket socket, String peerId) {
        event.set(peerId);
      }
    });
    joiner.connect("127.0.0.1", holder.port()).orTimeout(10, TimeUnit.SECONDS).join();
    CompletableFuture<Void> synced = joiner.awaitInitialSync();
    AtomicInteger updatesAtCompletion = new AtomicInteger(-1);
    CompletableFuture<Void> observed = synced.thenRun(() -> updatesAtCompletion.set(updates.get()));
    observed.get(20, TimeUnit.SECONDS);

    SyncMap<String, String> joined = joiner.map(Codecs.string(), Codecs.string());
    assertThat(joined).as("the joiner's copy as the future completed").hasSize(KEYS)
        .containsExactlyInAnyOrderEntriesOf(all);
    assertThat(updatesAtCompletion.get()).as("update events delivered before completion").isEqualTo(KEYS);
    await("the initial-sync event").atMost(Duration.ofSeconds(10)).until(() -> holder.id().equals(event.get()));
    assertThat(joiner.awaitInitialSync()).as("once done, done").isDone();
  }

  @Test
  void withoutPeers_completesAtOnce() {
    SyncSocket alone = net.track(Cluster.fast(true).build());
    alone.set("k", "v");
    assertThat(alone.awaitInitialSync()).isDone();
    assertThat(alone.map(Codecs.string(), Codecs.string()).awaitInitialSync()).isDone();
  }
}
