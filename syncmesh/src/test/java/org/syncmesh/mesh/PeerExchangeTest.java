package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.syncmesh.testing.ScriptedPeer.Style.JS2P;
import static org.syncmesh.testing.ScriptedPeer.Style.PY2P_0_7_870;
import static org.syncmesh.testing.ScriptedPeer.Style.PY2P_0_7_878;
import static org.syncmesh.testing.ScriptedPeer.Style.SYNCMESH;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncmesh.Bytes;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Advertised;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;
import org.syncmesh.wire.NodeId;

/**
 * Issue 10, dialect-aware peer exchange: whoever is handed an address dials it, so the node hands
 * a peer only the addresses of peers it can complete a handshake with. Checked for every pair of
 * dialects, on the three ways an address leaves the node: the peers list after a handshake
 * (docs/protocol-0.7.md §7.3), the answer to a {@code "*"} request (§7.7, §9.2) and the answer to a route
 * request (§9.1).
 */
final class PeerExchangeTest {

  /**
   * Which peers a peer of each style can dial, from docs/protocol-0.7.md §2.3 and §7.2, written out here
   * rather than taken from the code under test: js2p sends str and takes both; py2p 0.7.870 sends
   * and takes only str; py2p 0.7.878 only bin; a syncmesh node mirrors the peer's type when it
   * accepts and dials again with bin when a bin-only peer drops its str handshake.
   */
  private static final Map<Style, Set<Style>> CAN_DIAL = Map.of(
      JS2P, EnumSet.of(JS2P, PY2P_0_7_870, SYNCMESH),
      PY2P_0_7_870, EnumSet.of(JS2P, PY2P_0_7_870, SYNCMESH),
      PY2P_0_7_878, EnumSet.of(PY2P_0_7_878, SYNCMESH),
      SYNCMESH, EnumSet.allOf(Style.class));

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  static Stream<Arguments> pairs() {
    List<Arguments> pairs = new ArrayList<>();
    for (Style receiver : Style.values()) {
      for (Style listed : Style.values()) {
        pairs.add(Arguments.of(receiver, listed));
      }
    }
    return pairs.stream();
  }

  private MeshSocket node() {
    return net.track(new MeshSocket.Builder().build());
  }

  @ParameterizedTest(name = "{0} is handed {1}")
  @MethodSource("pairs")
  void peersListAfterTheHandshake(Style receiver, Style listed) {
    MeshSocket node = node();
    ScriptedPeer known = Peers.handshaken(net, node, listed);

    ScriptedPeer joiner = net.track(ScriptedPeer.connect(node.port(), receiver));
    joiner.sendHandshake(node.protocol().id());
    joiner.readHandshake();
    joiner.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);

    assertThat(ids(joiner.advertised())).as("ids in the peers list %s received", receiver)
        .isEqualTo(CAN_DIAL.get(receiver).contains(listed) ? List.of(known.id()) : List.of());
  }

  @ParameterizedTest(name = "{0} asks for peers and is handed {1}")
  @MethodSource("pairs")
  void answerToAStarRequest(Style receiver, Style listed) {
    MeshSocket node = node();
    ScriptedPeer asker = Peers.handshaken(net, node, receiver);
    ScriptedPeer known = Peers.handshaken(net, node, listed);

    askForPeers(asker);

    assertThat(ids(asker.advertised())).as("ids in the peers lists %s received", receiver)
        .isEqualTo(CAN_DIAL.get(receiver).contains(listed) ? List.of(known.id()) : List.of());
  }

  @ParameterizedTest(name = "{0} asks for a route to {1}")
  @MethodSource("pairs")
  void answerToARouteRequest(Style requester, Style target) {
    MeshSocket node = node();
    ScriptedPeer asker = Peers.handshaken(net, node, requester);
    ScriptedPeer known = Peers.handshaken(net, node, target);

    String requestId = "req" + UUID.randomUUID();
    asker.send(Flags.MAIN_BROADCAST, (long) Flags.SUB_REQUEST, requestId, known.wireId());
    askForPeers(asker); // its answer comes after any answer to the route request

    assertThat(routes(asker, requestId)).as("routes to %s handed to %s", target, requester)
        .isEqualTo(CAN_DIAL.get(requester).contains(target) ? List.of(known.id()) : List.of());
  }

  static Stream<Arguments> targetsAndSenderTypes() {
    List<Arguments> cases = new ArrayList<>();
    for (Style target : Style.values()) {
      cases.add(Arguments.of(target, false));
      cases.add(Arguments.of(target, true));
    }
    return cases.stream();
  }

  /**
   * A request that floods in from a requester the node has no link to: all it knows is the type of
   * the sender id. A str id is js2p or syncmesh, so it gets what js2p can dial; a bin id is py2p of
   * either build, so it gets only what both builds can dial.
   */
  @ParameterizedTest(name = "a requester beyond the node (bin id: {1}) asks for a route to {0}")
  @MethodSource("targetsAndSenderTypes")
  void answerToARouteRequestFromBeyondTheNode(Style target, boolean senderIsBin) {
    MeshSocket node = node();
    ScriptedPeer relay = Peers.handshaken(net, node, SYNCMESH);
    ScriptedPeer known = Peers.handshaken(net, node, target);
    String far = NodeId.js2pFormula("127.0.0.1", 1, "far", UUID.randomUUID().toString());

    String requestId = "req" + UUID.randomUUID();
    relay.writeFrame(InternalMessage.create(Flags.MAIN_BROADCAST, senderIsBin ? Bytes.utf8(far) : far,
        System.currentTimeMillis() / 1000, List.of((long) Flags.SUB_REQUEST, requestId, known.wireId())));
    askForPeers(relay);

    Set<Style> dialable = senderIsBin ? intersection(CAN_DIAL.get(PY2P_0_7_870), CAN_DIAL.get(PY2P_0_7_878))
        : CAN_DIAL.get(JS2P);
    assertThat(routes(relay, requestId)).as("routes to %s for a requester with a %s id", target,
        senderIsBin ? "bin" : "str").isEqualTo(dialable.contains(target) ? List.of(known.id()) : List.of());
  }

  /** Sends {@code "*"} (as bin, §2.4) and reads up to the peers list that answers it. */
  private static void askForPeers(ScriptedPeer peer) {
    peer.send(Flags.MAIN_WHISPER, (long) Flags.SUB_REQUEST, Bytes.utf8("*"));
    peer.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
  }

  private static List<String> ids(List<Advertised> advertised) {
    return advertised.stream().map(Advertised::id).distinct().toList();
  }

  /** The routes {@code peer} was handed in responses to {@code requestId}. */
  private static List<String> routes(ScriptedPeer peer, String requestId) {
    List<String> out = new ArrayList<>();
    for (ScriptedPeer.Frame frame : peer.received()) {
      if (frame.subFlag() == Flags.SUB_RESPONSE && requestId.equals(frame.packets().get(1))) {
        List<?> route = (List<?>) frame.packets().get(2);
        Object id = route.get(1);
        out.add(id instanceof Bytes b ? b.utf8() : (String) id);
      }
    }
    return out;
  }

  private static Set<Style> intersection(Set<Style> a, Set<Style> b) {
    Set<Style> out = EnumSet.copyOf(a);
    out.retainAll(b);
    return out;
  }
}
