package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.syncmesh.Bytes;
import org.syncmesh.sync.SyncSocket;
import org.syncmesh.testing.LineNode;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Advertised;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;

/**
 * Issue 10: a syncmesh node bridges a str-protocol-id peer (the real js2p 0.7.870, in a child
 * process) and a bin-only one (a {@link ScriptedPeer} in py2p 0.7.878's style), which refuse each
 * other's handshake (docs/protocol-0.7.md §2.3). Keys (sync socket) or broadcasts (mesh) cross the bridge
 * both ways, while neither outer node is ever handed the other's address: not in the peers list
 * after its handshake (§7.3), not in the answer to {@code "*"} (§9.2). Both orders of joining
 * are covered: the one that joins second is the one today's code would hand the first.
 */
final class BridgeInteropTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(false, true), Arguments.of(false, false),
        Arguments.of(true, true), Arguments.of(true, false));
  }

  @ParameterizedTest(name = "sync socket: {0}, js2p joins first: {1}")
  @MethodSource("cases")
  void bridgesJs2pAndABinOnlyPy2pWithoutIntroducingThem(boolean sync, boolean strSideFirst) {
    SyncSocket syncBridge = sync ? net.track(new SyncSocket.Builder().build()) : null;
    MeshSocket bridge = sync ? syncBridge.mesh() : net.track(new MeshSocket.Builder().build());
    LineNode js = net.track(sync ? LineNode.js2p() : LineNode.js2p("--mesh"));
    ScriptedPeer py;
    if (strSideFirst) {
      join(bridge, js);
      py = join(bridge);
    } else {
      py = join(bridge);
      join(bridge, js);
    }

    if (sync) {
      keysCrossBothWays(syncBridge, js, py);
    } else {
      broadcastsCrossBothWays(bridge, js, py);
    }

    // Each outer node asks for the bridge's peers too (§9.2); py reads up to the answer.
    js.call("askpeers");
    py.send(Flags.MAIN_WHISPER, (long) Flags.SUB_REQUEST, Bytes.utf8("*"));
    py.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("js2p to receive the answer to its \"*\"").atMost(WAIT)
        .until(() -> peersListsHeardBy(js) >= 2);

    // Both sides are checked and reported together: which one a wrong rule leaks to depends on the order.
    List<String> toPy = py.advertised().stream().map(Advertised::id).toList();
    List<String> toJs = advertisedTo(js).stream().map(e -> (String) e.get("id")).toList();
    SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(py.received().stream().filter(f -> f.subFlag() == Flags.SUB_PEERS))
          .as("peers lists sent to py2p").hasSize(2);
      softly.assertThat(toPy).as("ids the bridge handed py2p 0.7.878 (peers lists, routes)").doesNotContain(js.id());
      softly.assertThat(toJs).as("ids the bridge handed js2p (peers lists, routes)").doesNotContain(py.id());
    });

    assertThat(bridge.routingTable()).as("the bridge keeps both links").containsKeys(js.id(), py.id());
    assertThat(MeshInteropTest.peerIds(js)).as("js2p's peers").isEqualTo(List.of(bridge.id()));
    assertThat(bridge.status()).isEqualTo("Nominal");
    assertThat(js.call("status")).isEqualTo("Nominal");
  }

  /** js2p dials the bridge. */
  private static void join(MeshSocket bridge, LineNode js) {
    js.call("connect 127.0.0.1 " + bridge.port());
    await("the bridge to register js2p").atMost(WAIT).until(() -> bridge.routingTable().containsKey(js.id()));
    assertThat(bridge.routingTable().get(js.id()).dialect()).isEqualTo(Dialect.JS2P);
  }

  /** The py2p 0.7.878-style peer dials the bridge and takes its handshake (bin, or it would drop it). */
  private ScriptedPeer join(MeshSocket bridge) {
    ScriptedPeer py = net.track(ScriptedPeer.connect(bridge.port(), Style.PY2P_0_7_878));
    py.sendHandshake(bridge.protocol().id());
    py.readHandshake();
    py.readMatching(f -> f.subFlag() == Flags.SUB_PEERS);
    await("the bridge to register py2p").atMost(WAIT).until(() -> bridge.routingTable().containsKey(py.id()));
    assertThat(bridge.routingTable().get(py.id()).dialect()).isEqualTo(Dialect.PY2P_0_7_878);
    return py;
  }

  private static void keysCrossBothWays(SyncSocket bridge, LineNode js, ScriptedPeer py) {
    String fromJs = "js" + UUID.randomUUID().toString().substring(0, 8);
    js.call("set " + fromJs + " \"from js2p\"");
    ScriptedPeer.Frame store = py.readMatching(f -> f.subFlag() == Flags.SUB_STORE
        && Bytes.utf8(fromJs).equals(f.packets().get(1)));
    assertThat(store.packets().get(2)).as("value of %s at py2p", fromJs).isEqualTo("from js2p");
    assertThat(store.message().senderId()).isEqualTo(js.id());

    String fromPy = "py" + UUID.randomUUID().toString().substring(0, 8);
    py.send(Flags.MAIN_BROADCAST, (long) Flags.SUB_STORE, Bytes.utf8(fromPy), "from py2p");
    await("js2p to hold " + fromPy).atMost(WAIT).until(() -> Objects.equals(js.call("get " + fromPy), "from py2p"));
    assertThat(js.call("meta " + fromPy)).extracting(m -> ((Map<?, ?>) m).get("owner")).isEqualTo(py.id());
    assertThat(bridge.get(fromPy, null)).isEqualTo("from py2p");
    assertThat(bridge.get(fromJs, null)).isEqualTo("from js2p");
  }

  private static void broadcastsCrossBothWays(MeshSocket bridge, LineNode js, ScriptedPeer py) {
    String fromJs = "from js2p " + UUID.randomUUID();
    js.call("send [\"" + fromJs + "\"]");
    ScriptedPeer.Frame got = py.readMatching(f -> f.flag() == Flags.MAIN_BROADCAST
        && f.packets().equals(List.of((long) Flags.SUB_BROADCAST, fromJs)));
    assertThat(got.message().senderId()).isEqualTo(js.id());

    String fromPy = "from py2p " + UUID.randomUUID();
    py.send(Flags.MAIN_BROADCAST, (long) Flags.SUB_BROADCAST, fromPy);
    await("js2p to receive py2p's broadcast").atMost(WAIT).untilAsserted(() -> {
      List<Object> packets = ((List<?>) js.call("recv")).stream().<Object>map(m -> ((Map<?, ?>) m).get("packets")).toList();
      assertThat(packets).contains(List.of(fromPy));
    });
    assertThat(Peers.awaitPackets(bridge, fromJs)).isTrue();
    assertThat(Peers.awaitPackets(bridge, fromPy)).isTrue();
  }

  private static List<Map<?, ?>> advertisedTo(LineNode js) {
    return ((List<?>) js.call("advertised")).stream()
        .flatMap(m -> ((List<?>) ((Map<?, ?>) m).get("entries")).stream())
        .<Map<?, ?>>map(e -> (Map<?, ?>) e)
        .toList();
  }

  /** How many peers lists js2p has received. */
  private static long peersListsHeardBy(LineNode js) {
    return ((List<?>) js.call("advertised")).stream().filter(m -> "peers".equals(((Map<?, ?>) m).get("kind"))).count();
  }
}
