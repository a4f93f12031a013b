package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;

/** Issue 11: a node redials lost peers and unanswered seeds by itself, and keeps one link per peer. */
final class ReconnectTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration FAST_INITIAL = Duration.ofMillis(20);
  private static final Duration FAST_MAX = Duration.ofMillis(200);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node(MeshSocket.Builder builder) {
    return net.track(builder.reconnect(FAST_INITIAL, FAST_MAX).build());
  }

  private MeshSocket node() {
    return node(new MeshSocket.Builder());
  }

  @Test
  void peerDroppedByTheOtherSideRedialsAndLinksAgain() {
    MeshSocket a = node();
    MeshSocket b = node();
    List<String> bLost = lostPeers(b);
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();

    a.disconnect(b.id()); // a's decision, not b's: b redials

    await("b to see a leave").atMost(WAIT).until(() -> bLost.contains(a.id()));
    await("b to link to a again by itself").atMost(WAIT)
        .until(() -> b.routingTable().containsKey(a.id()) && a.routingTable().containsKey(b.id()));
    assertThat(b.routingTable().get(a.id()).outgoing()).as("b dialled the new link").isTrue();
    await("one link on each side").atMost(WAIT).until(() -> links(a) == 1 && links(b) == 1);
  }

  @Test
  void peerThisNodeDroppedAsSlowIsRedialledByIt() {
    MeshSocket a = node();
    MeshSocket b = node(new MeshSocket.Builder().reconnect(false)); // only a can bring it back
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> a.routingTable().containsKey(b.id()));
    assertThat(a.routingTable().get(b.id()).outgoing()).isFalse();

    // The slow-peer limit closes a link with this reason (net's ChannelLink); b never dialled a again.
    closeOn(a, b.id(), "peer too slow: closed by the test");

    await("a to redial the peer it dropped").atMost(WAIT)
        .until(() -> a.routingTable().containsKey(b.id()) && a.routingTable().get(b.id()).outgoing());
    assertThat(b.routingTable()).containsOnlyKeys(a.id());
  }

  @Test
  void seedThatIsNotUpYetIsDialledUntilItAnswers() throws IOException {
    int port;
    MeshSocket b;
    CompletableFuture<PeerInfo> first;
    try (ServerSocket notReady = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = notReady.getLocalPort();
      notReady.setSoTimeout((int) WAIT.toMillis());
      b = node();
      first = b.connect("127.0.0.1", port);
      // Something is there, but not a node yet: it hangs up, three times.
      for (int attempt = 0; attempt < 3; attempt++) {
        try (Socket s = notReady.accept()) {
          s.setSoLinger(true, 0);
        }
      }
    }
    assertThatThrownBy(() -> first.orTimeout(10, TimeUnit.SECONDS).join())
        .as("the user's future reports the first attempt, as before")
        .isInstanceOf(CompletionException.class);

    MeshSocket a = node(new MeshSocket.Builder().port(port));

    await("b to reach the seed once it is up").atMost(WAIT)
        .until(() -> b.routingTable().containsKey(a.id()) && a.routingTable().containsKey(b.id()));
    assertThat(b.statusErrors()).as("failed redials are not status errors").isEmpty();
  }

  /**
   * A node closes and a new one starts on its port. {@code survivorDialled}: the survivor had
   * dialled it (a seed), else the closed node had dialled in and the survivor redials the address
   * it advertised.
   */
  @ParameterizedTest(name = "survivor dialled: {0}")
  @ValueSource(booleans = {true, false})
  void restartedNodeOnTheSamePortIsRedialledBySurvivor(boolean survivorDialled) {
    MeshSocket survivor = node();
    MeshSocket old = node();
    MeshSocket dialler = survivorDialled ? survivor : old;
    dialler.connect("127.0.0.1", (survivorDialled ? old : survivor).port()).orTimeout(10, TimeUnit.SECONDS).join();
    int port = old.port();
    String oldId = old.id();
    old.close();
    await("survivor to see the old node leave").atMost(WAIT)
        .until(() -> !survivor.routingTable().containsKey(oldId));

    MeshSocket restarted = node(new MeshSocket.Builder().port(port));

    // (In one JVM a node's id depends on its port only, so the restarted node has the old id.)
    await("survivor to link to the restarted node").atMost(WAIT)
        .until(() -> restarted.routingTable().containsKey(survivor.id())
            && survivor.routingTable().containsKey(restarted.id()));
    assertThat(restarted.routingTable().get(survivor.id()).outgoing()).as("the survivor dialled").isFalse();
    assertThat(survivor.routingTable()).containsOnlyKeys(restarted.id());
  }

  @Test
  void explicitDisconnectIsNotRedialled() {
    MeshSocket a = node();
    MeshSocket b = node(new MeshSocket.Builder().reconnect(false)); // only a could bring it back
    a.connect("127.0.0.1", b.port()).orTimeout(10, TimeUnit.SECONDS).join();

    a.disconnect(b.id());

    await("the link to close").atMost(WAIT).until(() -> a.routingTable().isEmpty() && links(a) == 0);
    // A redial would come within FAST_MAX; hold for several times that.
    await("a to stay apart from b").during(Duration.ofMillis(1000)).atMost(WAIT)
        .until(() -> a.routingTable().isEmpty() && b.routingTable().isEmpty() && links(a) == 0);
  }

  @Test
  void reconnectOffLeavesALostPeerGone() {
    MeshSocket a = node();
    MeshSocket b = node(new MeshSocket.Builder().reconnect(false));
    b.connect("127.0.0.1", a.port()).orTimeout(10, TimeUnit.SECONDS).join();

    a.disconnect(b.id());

    await("the link to close").atMost(WAIT).until(() -> b.routingTable().isEmpty());
    await("b to stay apart from a").during(Duration.ofMillis(1000)).atMost(WAIT)
        .until(() -> a.routingTable().isEmpty() && b.routingTable().isEmpty() && links(b) == 0);
  }

  @Test
  void bothSidesRediallingAtOnceEndWithOneLink() {
    MeshSocket a = node();
    MeshSocket b = node();
    List<String> aLost = lostPeers(a);
    // Each dials the other at once: both remember the other's address as a seed, and the
    // duplicate-link rule (§7.5) must leave one of the two links.
    a.connect("127.0.0.1", b.port());
    b.connect("127.0.0.1", a.port());
    awaitOneLink(a, b);

    for (int round = 0; round < 5; round++) {
      int lostBefore = aLost.size();
      // Neither node's decision: both redial at once.
      closeOn(a, b.id(), "I/O error: cut by the test");
      await("round " + round + ": a to lose b").atMost(WAIT).until(() -> aLost.size() > lostBefore);
      awaitOneLink(a, b);
    }
  }

  @Test
  void addressThatRefusesOurProtocolIsGivenUp() {
    MeshSocket b = node();
    try (ScriptedPeer.Listener listener = ScriptedPeer.listen(Style.JS2P)) {
      CompletableFuture<PeerInfo> first = b.connect("127.0.0.1", listener.port());
      for (int attempt = 0; attempt < Redialer.MAX_MISMATCHES; attempt++) {
        ScriptedPeer other = net.track(listener.accept(WAIT));
        assertThat(other.readHandshake().subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
        other.sendHandshake("another subnet");
        other.assertClosedByNode();
      }
      assertThatThrownBy(() -> first.orTimeout(10, TimeUnit.SECONDS).join()).hasMessageContaining("protocol mismatch");
      assertThatThrownBy(() -> listener.accept(Duration.ofMillis(1000)))
          .as("no attempt after %d mismatches", Redialer.MAX_MISMATCHES)
          .isInstanceOf(AssertionError.class);
    }
  }

  @Test
  void reconnectSettingsAreValidated() {
    assertThatThrownBy(() -> new MeshSocket.Builder().reconnect(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MeshSocket.Builder().reconnect(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reconnect max");
    assertThatThrownBy(() -> new MeshSocket.Builder().reconnect(Duration.ofSeconds(1), Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class);
    new MeshSocket.Builder().reconnect(Duration.ofMillis(1), Duration.ofMillis(1));
  }

  /** Each node has exactly one open link, the other node, in its routing table; and it stays so. */
  private static void awaitOneLink(MeshSocket a, MeshSocket b) {
    await("one link between the two").atMost(WAIT).during(Duration.ofMillis(300))
        .until(() -> links(a) == 1 && links(b) == 1
            && a.routingTable().keySet().equals(java.util.Set.of(b.id()))
            && b.routingTable().keySet().equals(java.util.Set.of(a.id()))
            // the same link: opened by one end, accepted by the other
            && a.routingTable().get(b.id()).outgoing() != b.routingTable().get(a.id()).outgoing());
  }

  /** The ids of the peers {@code socket} loses from now on, in order. */
  private static List<String> lostPeers(MeshSocket socket) {
    List<String> lost = new CopyOnWriteArrayList<>();
    socket.addListener(new MeshListener() {
      @Override
      public void onDisconnect(MeshSocket s, PeerInfo peer) {
        lost.add(peer.id());
      }
    });
    return lost;
  }

  /** Closes {@code socket}'s link to {@code peerId} with {@code reason}, as the network layer would. */
  private static void closeOn(MeshSocket socket, String peerId, String reason) {
    MeshNode node = socket.node();
    node.onLoop(() -> {
      Peer peer = node.routing.get(peerId);
      if (peer != null) {
        peer.link.close(reason);
      }
    });
  }

  /** Open links of {@code socket}, handshaken or not, read on its protocol thread. */
  private static int links(MeshSocket socket) {
    MeshNode node = socket.node();
    try {
      return CompletableFuture.supplyAsync(() -> node.peers.size(), node.loop).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the links of " + socket, e);
    }
  }
}
