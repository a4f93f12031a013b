package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.wire.Flags;

/** Shared steps of the mesh tests that drive a node with {@link ScriptedPeer}s. */
final class Peers {

  static final Duration WAIT = Duration.ofSeconds(10);

  private Peers() {}

  /** A well-behaved MeshSocket connected to {@code node}, registered on both ends. */
  static MeshSocket goodPeer(NetworkTestRule net, MeshSocket node) {
    MeshSocket good = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
    good.connect("127.0.0.1", node.port()).orTimeout(10, TimeUnit.SECONDS).join();
    await("node to register the good peer").atMost(WAIT).until(() -> node.routingTable().containsKey(good.id()));
    return good;
  }

  /**
   * A scripted peer that connected to {@code node}, handshook, received the node's handshake and
   * peers list, and is in the node's routing table.
   */
  static ScriptedPeer handshaken(NetworkTestRule net, MeshSocket node, ScriptedPeer.Style style) {
    ScriptedPeer peer = net.track(ScriptedPeer.connect(node.port(), style));
    peer.sendHandshake(node.protocol().id());
    peer.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("node to register " + peer).atMost(WAIT).until(() -> node.routingTable().containsKey(peer.id()));
    return peer;
  }

  /** Broadcasts flow both ways between {@code node} and {@code good}. */
  static void assertStillServes(MeshSocket node, MeshSocket good) {
    assertThat(node.routingTable()).as("node's routing table").containsKey(good.id());
    String out = "from node " + UUID.randomUUID();
    node.send(out);
    assertThat(awaitPackets(good, out)).as("good peer received the node's broadcast").isTrue();
    String back = "from good peer " + UUID.randomUUID();
    good.send(back);
    assertThat(awaitPackets(node, back)).as("node received the good peer's broadcast").isTrue();
  }

  /** Takes messages from {@code socket} until one whose packets are {@code [text]}; false after 10 s. */
  static boolean awaitPackets(MeshSocket socket, String text) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        var m = socket.recv(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if (m.isPresent() && m.get().packets().equals(List.of(text))) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** The node's status entries mentioning {@code text}. */
  static List<String> statusMentioning(MeshSocket node, String text) {
    return node.statusErrors().stream().filter(e -> e.contains(text)).toList();
  }
}
