package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Bytes;
import org.syncmesh.net.LinkListener;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.wire.Flags;
import org.syncmesh.wire.InternalMessage;

/**
 * The handshake and peers handlers driven through a {@link FakeLink}: no peer socket, one message
 * at a time, every frame the node answers with inspected. Possible since the handlers depend on
 * the node, not on the socket or a connection.
 */
final class HandshakeWithoutSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String JS2P_ID = "3".repeat(66);
  private static final String PY2P_ID = "4".repeat(66);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private final MeshSocket socket = net.track(new MeshSocket.Builder().maxOutgoing(0).build());
  private final MeshNode node = socket.node();
  private final LinkListener links = node.connections.listener();

  private InternalMessage handshake(Object id, Object protocolId, int port, List<Long> compression) {
    return InternalMessage.create(Flags.MAIN_WHISPER, id, node.nowSeconds(),
        List.of(Flags.SUB_HANDSHAKE, id, protocolId, List.of("127.0.0.1", (long) port), compression));
  }

  private static List<InternalMessage> awaitSent(FakeLink link, int count) {
    await("the node to send " + count + " messages").atMost(WAIT).until(() -> link.sent.size() >= count);
    return link.sent;
  }

  @Test
  void anAcceptedJs2pHandshake_isAnsweredWithAStrProtocolIdAndOurPeersList_andRegistered() {
    FakeLink link = new FakeLink(false, 50_001);
    links.linkOpened(link);
    links.messageReceived(link, handshake(JS2P_ID, node.protocolId, 50_001, List.of(19L, 17L)));

    List<InternalMessage> sent = awaitSent(link, 2);
    InternalMessage answer = sent.get(0);
    assertThat(answer.subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
    assertThat(answer.payload().get(1)).isEqualTo(node.id);
    assertThat(answer.payload().get(2)).as("protocol id mirrored as str").isEqualTo(node.protocolId);
    assertThat(sent.get(1).subFlag()).isEqualTo(Flags.SUB_PEERS);
    await().atMost(WAIT).until(() -> socket.routingTable().containsKey(JS2P_ID));
    assertThat(socket.routingTable().get(JS2P_ID).dialect()).isEqualTo(Dialect.JS2P);
    assertThat(link.isOpen()).isTrue();
  }

  @Test
  void aBinProtocolId_isMirroredAsBin() {
    FakeLink link = new FakeLink(false, 50_002);
    links.linkOpened(link);
    links.messageReceived(link, handshake(Bytes.utf8(PY2P_ID), Bytes.utf8(node.protocolId), 50_002,
        List.of(19L, 17L, 16L, 18L)));

    InternalMessage answer = awaitSent(link, 1).get(0);
    assertThat(answer.payload().get(2)).isEqualTo(Bytes.utf8(node.protocolId));
    await().atMost(WAIT).until(() -> socket.routingTable().containsKey(PY2P_ID));
    assertThat(socket.routingTable().get(PY2P_ID).dialect()).isEqualTo(Dialect.PY2P_0_7_878);
  }

  @Test
  void anotherProtocol_isAnsweredThenClosedWithTheReason_andNeverRegistered() {
    FakeLink link = new FakeLink(false, 50_003);
    links.linkOpened(link);
    links.messageReceived(link, handshake(JS2P_ID, "other-subnet", 50_003, List.of()));

    await().atMost(WAIT).until(() -> link.closedBecause() != null);
    assertThat(link.closedBecause()).startsWith("protocol mismatch").contains("other-subnet");
    assertThat(link.sent).extracting(InternalMessage::subFlag).containsExactly((int) Flags.SUB_HANDSHAKE);
    assertThat(socket.routingTable()).isEmpty();
  }

  @Test
  void messagesBeforeTheHandshake_areDropped() {
    FakeLink link = new FakeLink(false, 50_004);
    links.linkOpened(link);
    links.messageReceived(link, InternalMessage.create(Flags.MAIN_BROADCAST, JS2P_ID, node.nowSeconds(),
        List.of(Flags.SUB_BROADCAST, "too early")));
    links.messageReceived(link, handshake(JS2P_ID, node.protocolId, 50_004, List.of()));

    await().atMost(WAIT).until(() -> socket.routingTable().containsKey(JS2P_ID));
    assertThat(socket.recv()).isEmpty();
  }
}
