package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.FaultProxy.Direction;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A peer that stops reading (its proxy stalls) while another node writes 20,000 keys is dropped at
 * the writer's slow-peer limits; once it reads again it redials by itself and catches up to an
 * identical state. The writer's writes wait while its send queue is full (so fewer than the
 * 1 MiB limit are ever queued) and the drop comes from the unwritable timeout, here 500 ms: with
 * 20 s the writes are held that long.
 */
final class SlowPeerCatchUpTest {

  private static final int KEYS = 20_000;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void stalledPeerIsDroppedAtTheSendLimit_thenRedialsAndEndsIdentical() {
    SyncSocket writer = Cluster.node(net, true, b -> b.slowPeerLimits(1024 * 1024, Duration.ofMillis(500)));
    SyncSocket slow = Cluster.node(net, true);
    Cluster.Link link = Cluster.link(net, slow, writer);
    writer.set("before", "the stall");
    Cluster.awaitIdentical(List.of(writer, slow), WAIT, "before the stall");

    link.proxy().stall();
    String value = "v".repeat(100);
    for (int i = 0; i < KEYS; i++) {
      writer.set("k" + i, value + i);
    }
    await("the writer to drop its stalled peer").atMost(WAIT).until(() -> !writer.routingTable().containsKey(slow.id()));
    assertThat(writer.statusErrors()).as("the writer's status names the drop")
        .anyMatch(e -> e.contains("peer too slow") || e.contains("peer stopped reading"));
    assertThat(slow.size()).as("the stalled peer has not caught up").isLessThan(KEYS);
    int acceptedBefore = link.proxy().accepted();

    link.proxy().unstall();
    Cluster.awaitUp(List.of(link), WAIT, "after the unstall");
    Cluster.awaitIdentical(List.of(writer, slow), Duration.ofSeconds(60), "after the unstall");
    assertThat(link.proxy().accepted()).as("the peer redialled through the proxy").isGreaterThan(acceptedBefore);
    assertThat(link.proxy().bytesForwarded(Direction.TO_CLIENT)).isPositive();
    assertThat(slow.size()).isEqualTo(KEYS + 1);
    assertThat(slow.get("k" + (KEYS - 1))).contains(value + (KEYS - 1));
    assertThat(slow.meta("k0").orElseThrow().owner()).isEqualTo(writer.id());
  }
}
