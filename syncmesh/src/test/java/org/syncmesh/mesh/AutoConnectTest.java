package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;

/** Peer exchange: a newcomer learns its neighbour's peers and connects, up to max outgoing. */
final class AutoConnectTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  @Test
  void newcomerConnectsToPeersListedByItsNeighbour() {
    MeshSocket hub = net.track(new MeshSocket.Builder().build());
    MeshSocket a = net.track(new MeshSocket.Builder().build());
    MeshSocket b = net.track(new MeshSocket.Builder().build());
    a.connect("127.0.0.1", hub.port()).orTimeout(10, TimeUnit.SECONDS).join();
    b.connect("127.0.0.1", hub.port()).orTimeout(10, TimeUnit.SECONDS).join();

    MeshSocket newcomer = net.track(new MeshSocket.Builder().build());
    newcomer.connect("127.0.0.1", hub.port()).orTimeout(10, TimeUnit.SECONDS).join();

    await("newcomer to connect to the peers the hub listed").atMost(WAIT)
        .untilAsserted(() -> assertThat(newcomer.routingTable()).containsKeys(hub.id(), a.id(), b.id()));
  }

  @Test
  void autoConnectStopsAtMaxOutgoing() {
    MeshSocket hub = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    for (int i = 0; i < 4; i++) {
      MeshSocket peer = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
      peer.connect("127.0.0.1", hub.port()).orTimeout(10, TimeUnit.SECONDS).join();
    }
    await().atMost(WAIT).until(() -> hub.routingTable().size() == 4);

    MeshSocket newcomer = net.track(new MeshSocket.Builder().maxOutgoing(2).build());
    newcomer.connect("127.0.0.1", hub.port()).orTimeout(10, TimeUnit.SECONDS).join();

    await("newcomer to fill its two outgoing slots").atMost(WAIT)
        .until(() -> newcomer.routingTable().values().stream().filter(PeerInfo::outgoing).count() == 2);
    // The hub counts as one of the two; one more listed peer was dialled, no others.
    assertThat(newcomer.routingTable()).hasSize(2).containsKey(hub.id());
  }

  @Test
  void droppedPeerMakesNodeAskForMorePeers() {
    MeshSocket a = net.track(new MeshSocket.Builder().build());
    MeshSocket b = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    MeshSocket c = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    c.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();
    MeshSocket d = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    // a connects to d itself, then d leaves: a asks b for peers ("*") and dials c.
    a.connect("127.0.0.1", d.port()).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(a.routingTable()).doesNotContainKey(c.id());
    d.close();
    await("a to learn c from b after losing d").atMost(WAIT)
        .untilAsserted(() -> assertThat(a.routingTable()).containsKey(c.id()));
  }
}
