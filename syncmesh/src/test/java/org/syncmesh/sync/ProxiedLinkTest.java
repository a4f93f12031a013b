package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.FaultProxy.Direction;
import org.syncmesh.testing.NetworkTestRule;

/**
 * Two sync nodes whose one link runs through a {@link FaultProxy}: b dials the proxy, which
 * forwards to a's listening port. Shows what the nodes do when that link is torn mid-frame or
 * partitioned; nothing here reconnects by itself (reconnect off, maxOutgoing 0), the test dials again.
 */
final class ProxiedLinkTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private SyncSocket node() {
    return net.track(new SyncSocket.Builder().maxOutgoing(0).reconnect(false).build());
  }

  /** {@code dialler} connects to {@code target} directly; both routing tables then hold the other. */
  private static void link(SyncSocket dialler, SyncSocket target) {
    dial(dialler, target, target.port());
  }

  /** {@code dialler} connects to {@code target} through {@code proxy}. */
  private static void linkThrough(FaultProxy proxy, SyncSocket dialler, SyncSocket target) {
    dial(dialler, target, proxy.port());
  }

  private static void dial(SyncSocket dialler, SyncSocket target, int port) {
    dialler.connect("127.0.0.1", port).orTimeout(10, TimeUnit.SECONDS).join();
    await(target + " and " + dialler + " to register each other").atMost(WAIT).until(() ->
        target.routingTable().containsKey(dialler.id()) && dialler.routingTable().containsKey(target.id()));
  }

  private static void awaitUnlinked(SyncSocket x, SyncSocket y) {
    await(x + " and " + y + " to drop each other").atMost(WAIT).until(() ->
        !x.routingTable().containsKey(y.id()) && !y.routingTable().containsKey(x.id()));
  }

  private static void awaitValue(SyncSocket node, String key, Object expected) {
    await(node + " to hold " + key + " = " + expected).atMost(WAIT)
        .until(() -> expected.equals(node.get(key, null)));
  }

  @Test
  void keysFlowBothWaysThroughTheProxy() {
    SyncSocket a = node();
    SyncSocket b = node();
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    linkThrough(proxy, b, a);
    long toA = proxy.bytesForwarded(Direction.TO_TARGET);
    long toB = proxy.bytesForwarded(Direction.TO_CLIENT);

    a.set("from a", "hello b");
    b.set("from b", List.of(1, "two"));

    awaitValue(b, "from a", "hello b");
    awaitValue(a, "from b", List.of(1L, "two"));
    assertThat(b.meta("from a")).get().extracting(MetaTuple::owner).isEqualTo(a.id());
    assertThat(proxy.bytesForwarded(Direction.TO_TARGET)).as("bytes b sent a through the proxy").isGreaterThan(toA);
    assertThat(proxy.bytesForwarded(Direction.TO_CLIENT)).as("bytes a sent b through the proxy").isGreaterThan(toB);
    assertThat(proxy.accepted()).isEqualTo(1);
    assertThat(a.status()).isEqualTo("Nominal");
    assertThat(b.status()).isEqualTo("Nominal");
  }

  @Test
  void frameTornMidway_receiverDropsTheLinkWithAReason_andBothNodesServeOthers() {
    SyncSocket a = node();
    SyncSocket b = node();
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    linkThrough(proxy, b, a);
    b.set("before", 1);
    awaitValue(a, "before", 1L); // the link is quiet: the next chunk b sends is the torn store

    proxy.dropMidFrame(Direction.TO_TARGET);
    b.set("torn", "x".repeat(1_000));

    awaitUnlinked(a, b);
    assertThat(proxy.bytesDropped(Direction.TO_TARGET)).as("the half of the frame a never got").isPositive();
    assertThat(a.get("torn")).as("half a frame is never applied").isEmpty();
    await("a's status to name the torn frame").atMost(WAIT)
        .until(() -> a.statusErrors().stream().anyMatch(e -> e.contains("truncated frame")));
    assertThat(b.status()).as("b only saw its peer close").isEqualTo("Nominal");

    SyncSocket c = node();
    link(c, a);
    link(c, b);
    c.set("from c", "to both");
    awaitValue(a, "from c", "to both");
    awaitValue(b, "from c", "to both");
    a.set("from a", "to c");
    b.set("from b", "to c");
    awaitValue(c, "from a", "to c");
    awaitValue(c, "from b", "to c");
    assertThat(a.mesh().isClosed()).isFalse();
    assertThat(b.mesh().isClosed()).isFalse();
  }

  @Test
  void partitionCutsTheLink_andAfterHealADialAgainCarriesWrites() {
    SyncSocket a = node();
    SyncSocket b = node();
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    linkThrough(proxy, b, a);

    proxy.partition();
    awaitUnlinked(a, b);
    a.set("during", "the partition");
    assertThat(b.get("during")).as("b has no way to hear of it").isEmpty();
    assertThatThrownBy(() -> b.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join())
        .as("a dial during the partition").isInstanceOf(CompletionException.class);
    assertThat(proxy.refused()).isEqualTo(1);

    proxy.heal();
    linkThrough(proxy, b, a);
    awaitValue(b, "during", "the partition"); // a's initial sync on the new link
    b.set("after", "the heal");
    a.set("from a", "again");
    awaitValue(a, "after", "the heal");
    awaitValue(b, "from a", "again");
    assertThat(proxy.accepted()).isEqualTo(2);
    assertThat(a.status()).isEqualTo("Nominal");
    assertThat(b.status()).isEqualTo("Nominal");
  }
}
