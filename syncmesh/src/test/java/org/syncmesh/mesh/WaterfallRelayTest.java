package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.syncmesh.mesh.Peers.handshaken;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Frame;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * Broadcast de-duplication and relay (docs/protocol-0.7.md §8.2, §8.3) against scripted peers, with the
 * node's clock fixed so ages are exact. "Nothing arrived" is shown by a marker broadcast sent
 * afterwards: per link frames keep their order, so the marker arriving first proves the absence.
 */
final class WaterfallRelayTest {

  private static final long NOW = 1_700_000_000L;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    Clock fixed = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    return net.track(new MeshSocket.Builder().clock(fixed).maxOutgoing(0).build());
  }

  private ScriptedPeer peer(MeshSocket node, Style style) {
    return handshaken(net, node, style).clockSeconds(() -> NOW);
  }

  @Test
  void broadcastOlderThanSixtySecondsIsDroppedAndExactlySixtyIsKept() {
    MeshSocket node = node();
    ScriptedPeer sender = peer(node, Style.JS2P);
    ScriptedPeer observer = peer(node, Style.JS2P);

    sender.writeFrame(sender.messageAt(Flags.MAIN_BROADCAST, NOW - 61, 0L, "61 s old"));
    InternalMessage edge = sender.messageAt(Flags.MAIN_BROADCAST, NOW - 60, 0L, "60 s old");
    sender.writeFrame(edge);

    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("60 s old");
    Frame relayed = observer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST);
    assertThat(relayed.message().body()).isEqualTo(edge.body());
    assertThat(node.recv(10)).isEmpty();
  }

  @Test
  void duplicateIsDeliveredAndRelayedOnce() {
    MeshSocket node = node();
    ScriptedPeer first = peer(node, Style.JS2P);
    ScriptedPeer second = peer(node, Style.PY2P_0_7_878);
    ScriptedPeer observer = peer(node, Style.JS2P);

    InternalMessage message = first.message(Flags.MAIN_BROADCAST, 0L, "once");
    first.writeFrame(message);
    first.writeFrame(message);
    second.writeFrame(message); // the same bytes over another link
    first.send(Flags.MAIN_BROADCAST, 0L, "marker");

    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("once");
    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("marker");
    assertThat(observer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets()).containsExactly(0L, "once");
    assertThat(observer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets()).containsExactly(0L, "marker");
  }

  @Test
  void relayGoesByteForByteToEveryoneButTheOriginatorAndTheArrivalLink() {
    MeshSocket node = node();
    ScriptedPeer arrival = peer(node, Style.JS2P);
    ScriptedPeer originator = peer(node, Style.PY2P_0_7_878);
    ScriptedPeer other = peer(node, Style.JS2P);

    // Relayed by `arrival` on behalf of `originator`, whose bin id arrives here as str: the
    // exclusion must not depend on the msgpack type (py2p's does, §8.3).
    InternalMessage relayed = InternalMessage.create(Flags.MAIN_BROADCAST, originator.id(), NOW,
        List.of(0L, "relayed"));
    arrival.writeFrame(relayed);

    Frame atOther = other.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST);
    assertThat(atOther.message().body()).as("relayed body bytes").isEqualTo(relayed.body());
    assertThat(atOther.message().id()).isEqualTo(relayed.id());
    node.send("marker");
    assertThat(arrival.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets())
        .as("first broadcast the arrival link sees").containsExactly(0L, "marker");
    assertThat(originator.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets())
        .as("first broadcast the originator sees").containsExactly(0L, "marker");
  }

  @Test
  void ownBroadcastEchoedBackIsNeitherDeliveredNorRelayed() {
    MeshSocket node = node();
    ScriptedPeer echo = peer(node, Style.JS2P);
    ScriptedPeer observer = peer(node, Style.JS2P);

    node.send("mine");
    Frame mine = echo.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST);
    assertThat(observer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets()).containsExactly(0L, "mine");
    echo.writeFrame(mine.message());
    echo.send(Flags.MAIN_BROADCAST, 0L, "marker");

    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("marker");
    assertThat(observer.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST).packets()).containsExactly(0L, "marker");
  }

  @Test
  void futureDatedBroadcastIsAccepted() {
    MeshSocket node = node();
    ScriptedPeer sender = peer(node, Style.JS2P);

    sender.writeFrame(sender.messageAt(Flags.MAIN_BROADCAST, NOW + 100_000, 0L, "from the future"));

    assertThat(MeshSocketTest.awaitMessage(node).packets()).containsExactly("from the future");
  }
}
