package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.FaultProxy.Direction;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Packets;

/**
 * Two peers that were in sync meet again after a partition: each sends what changed on its side
 * since, and that is all the link carries, in bytes: the changed entries and a little more.
 */
final class AntiEntropyRejoinTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void afterAPartition_d1000_costsTheChangedEntriesPlusAtMost32KiB() {
    SyncSocket a = node();
    SyncSocket b = node();
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    b.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    String value = "v".repeat(100);
    Map<Object, Object> batch = new LinkedHashMap<>();
    for (int i = 0; i < 10_000; i++) {
      batch.put("key-" + i, value);
      if (batch.size() == 1000) {
        (i % 2000 < 1000 ? a : b).update(batch);
        batch.clear();
      }
    }
    await("b and a to hold the same 10,000 keys").atMost(WAIT).until(() -> a.snapshot().equals(b.snapshot()));
    java.time.Instant synced = java.time.Instant.now();
    await("a round after that to find them in sync").atMost(WAIT).until(() -> {
      PeerSyncState s = a.peerSync().get(b.id());
      return s.inSync() && s.lastRound() != null && s.lastRound().isAfter(synced);
    });

    proxy.partition();
    await().atMost(WAIT).until(() -> a.routingTable().isEmpty() && b.routingTable().isEmpty());
    for (int i = 0; i < 1000; i++) {
      (i % 2 == 0 ? a : b).set("key-" + (i * 7), "changed " + i);
    }
    long changedBytes = 0;
    for (int i = 0; i < 1000; i++) {
      SyncSocket holder = i % 2 == 0 ? a : b;
      Bytes key = Bytes.utf8("key-" + (i * 7));
      changedBytes += Packets.encode(ExtMessages.entry(key, holder.snapshot().get(key))).length;
    }
    long before = proxy.bytesForwarded(Direction.TO_TARGET) + proxy.bytesForwarded(Direction.TO_CLIENT);
    proxy.heal();
    await("both to hold the same state again").atMost(WAIT).until(() -> a.snapshot().equals(b.snapshot()));
    long used = proxy.bytesForwarded(Direction.TO_TARGET) + proxy.bytesForwarded(Direction.TO_CLIENT) - before;
    System.out.printf("rejoin with d=1000 of n=10000: %d bytes on the link, the changed entries are %d bytes%n",
        used, changedBytes);
    assertThat(used).isLessThanOrEqualTo(changedBytes + 32 * 1024);
  }

  private SyncSocket node() {
    return net.track(new SyncSocket.Builder().leasing(false).maxOutgoing(0)
        .antiEntropyInterval(Duration.ofSeconds(1)).reconnect(Duration.ofMillis(50), Duration.ofMillis(200)).build());
  }
}
