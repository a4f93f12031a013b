package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.MeshSocketTest.awaitMessage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Protocol;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;

/** The mesh against the real js2p 0.7.870, in child processes, both directions. */
final class MeshInteropTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket javaNode() {
    return net.track(new MeshSocket.Builder().build());
  }

  private LineNode js2p(String... options) {
    return net.track(LineNode.js2p(options));
  }

  @Test
  void js2pConnectsToJavaAndBroadcastsFlowBothWays() {
    MeshSocket java = javaNode();
    LineNode js = js2p("--mesh");
    js.call("connect 127.0.0.1 " + java.port());

    await("java to register the js2p peer").atMost(WAIT).until(() -> java.routingTable().containsKey(js.id()));
    PeerInfo peer = java.routingTable().get(js.id());
    assertThat(peer.dialect()).isEqualTo(Dialect.JS2P);
    assertThat(peer.extensionVersion()).as("js2p sent no extension marker").isZero();
    assertThat(peer.port()).isEqualTo(js.port());
    await("js2p to list the java peer").atMost(WAIT).until(() -> peersOf(js).contains(java.id()));

    js.call("send [\"from js2p\", 7, {\"a\": [1, 2]}]");
    Message m = awaitMessage(java);
    assertThat(m.sender()).isEqualTo(js.id());
    assertThat(m.packets()).containsExactly("from js2p", 7L, Map.of("a", List.of(1L, 2L)));

    java.send("from java", 8L);
    await("js2p to receive the java broadcast").atMost(WAIT)
        .until(() -> js.call("recv"), r -> !((List<?>) r).isEmpty());
    assertThat(js.call("status")).isEqualTo("Nominal");
  }

  @Test
  void javaConnectsToJs2p() {
    MeshSocket java = javaNode();
    LineNode js = js2p("--mesh");
    PeerInfo peer = java.connect("127.0.0.1", js.port()).orTimeout(15, TimeUnit.SECONDS).join();
    assertThat(peer.id()).isEqualTo(js.id());
    assertThat(peer.dialect()).isEqualTo(Dialect.JS2P);
    assertThat(peer.extensionVersion()).isZero();

    java.send("hello js2p");
    await("js2p to receive").atMost(WAIT).untilAsserted(() -> {
      List<?> got = (List<?>) js.call("recv");
      assertThat(got).hasSize(1);
      Map<?, ?> msg = (Map<?, ?>) got.get(0);
      assertThat(msg.get("sender")).isEqualTo(java.id());
      assertThat(msg.get("packets")).isEqualTo(List.of("hello js2p"));
    });
    js.call("send [\"hello java\"]");
    assertThat(awaitMessage(java).packets()).containsExactly("hello java");
    assertThat(js.call("status")).isEqualTo("Nominal");
    assertThat(java.status()).isEqualTo("Nominal");
  }

  @Test
  void javaRelaysBetweenTwoJs2pNodes() {
    MeshSocket java = javaNode();
    LineNode left = js2p("--mesh");
    LineNode right = js2p("--mesh");
    left.call("connect 127.0.0.1 " + java.port());
    right.call("connect 127.0.0.1 " + java.port());
    await("java to hold both js2p peers").atMost(WAIT)
        .until(() -> java.routingTable().keySet().containsAll(List.of(left.id(), right.id())));

    left.call("send [\"left to right\"]");
    await("right to receive through java").atMost(WAIT).untilAsserted(() -> {
      List<?> got = (List<?>) right.call("recv");
      assertThat(got).hasSize(1);
      assertThat(((Map<?, ?>) got.get(0)).get("packets")).isEqualTo(List.of("left to right"));
      assertThat(((Map<?, ?>) got.get(0)).get("sender")).isEqualTo(left.id());
    });
    right.call("send [\"right to left\"]");
    await("left to receive through java").atMost(WAIT).untilAsserted(() -> {
      List<?> got = (List<?>) left.call("recv");
      assertThat(got).hasSize(1);
      assertThat(((Map<?, ?>) got.get(0)).get("packets")).isEqualTo(List.of("right to left"));
    });
    // Java got both too, once each, and every link survived.
    assertThat(awaitMessage(java).packets()).containsExactly("left to right");
    assertThat(awaitMessage(java).packets()).containsExactly("right to left");
    assertThat(java.recv()).isEmpty();
    assertThat(java.routingTable()).containsKeys(left.id(), right.id());
    assertThat(left.call("status")).isEqualTo("Nominal");
    assertThat(right.call("status")).isEqualTo("Nominal");
  }

  @Test
  void tlsWorksWithJs2p() {
    MeshSocket java = net.track(new MeshSocket.Builder().protocol(new Protocol("mesh", Protocol.SSL)).build());
    LineNode js = js2p("--mesh", "--transport", "SSL");
    PeerInfo peer = java.connect("127.0.0.1", js.port()).orTimeout(20, TimeUnit.SECONDS).join();
    assertThat(peer.id()).isEqualTo(js.id());
    js.call("send [\"over tls\"]");
    assertThat(awaitMessage(java).packets()).containsExactly("over tls");

    LineNode other = js2p("--mesh", "--transport", "SSL");
    other.call("connect 127.0.0.1 " + java.port());
    await("js2p to connect to java over TLS").atMost(WAIT).until(() -> java.routingTable().containsKey(other.id()));
  }

  @Test
  void plaintextJs2pCannotJoinATlsNode() {
    MeshSocket java = net.track(new MeshSocket.Builder().protocol(new Protocol("mesh", Protocol.SSL)).build());
    LineNode js = js2p("--mesh");
    js.call("connect 127.0.0.1 " + java.port());
    // The plaintext handshake never reaches the TLS node; the timeout then ends the link.
    assertThat(java.connect("127.0.0.1", js.port()).orTimeout(20, TimeUnit.SECONDS))
        .failsWithin(Duration.ofSeconds(25));
    assertThat(java.routingTable()).isEmpty();
    assertThat(js.call("status")).isEqualTo("Nominal");
  }

  static List<?> peerIds(LineNode node) {
    return ((List<?>) node.call("peers")).stream().map(p -> ((Map<?, ?>) p).get("id")).toList();
  }

  private static List<?> peersOf(LineNode node) {
    return peerIds(node);
  }
}
