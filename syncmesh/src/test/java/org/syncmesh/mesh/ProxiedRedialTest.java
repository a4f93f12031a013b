package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.FaultProxy;
import org.syncmesh.testing.NetworkTestRule;

/**
 * A peer dialled at an address other than the one it advertises (here a {@link FaultProxy}; in
 * life a NAT or a name) is redialled at that address once lost, not at its advertised one, which
 * may not be reachable; with max outgoing 0 it used not to be redialled at all.
 */
final class ProxiedRedialTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().maxOutgoing(0)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(200)).build());
  }

  @Test
  void peerLostBehindAProxy_isRedialledThroughTheProxy() {
    MeshSocket a = node();
    MeshSocket b = node();
    FaultProxy proxy = net.track(new FaultProxy(a.port()));
    b.connect("127.0.0.1", proxy.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> a.routingTable().containsKey(b.id()));

    proxy.partition();
    await("both to drop the link").atMost(WAIT)
        .until(() -> !a.routingTable().containsKey(b.id()) && !b.routingTable().containsKey(a.id()));
    proxy.heal();

    await("b to link to a again, through the proxy, by itself").atMost(WAIT)
        .until(() -> b.routingTable().containsKey(a.id()) && a.routingTable().containsKey(b.id()));
    assertThat(b.routingTable().get(a.id()).outgoing()).as("b dialled the new link").isTrue();
    assertThat(proxy.accepted()).as("links the proxy admitted: the first and the redial").isEqualTo(2);
    assertThat(proxy.connections()).isEqualTo(1);
  }
}
