package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.assertStillServes;
import static org.syncmesh.mesh.Peers.goodPeer;
import static org.syncmesh.mesh.Peers.handshaken;
import static org.syncmesh.mesh.Peers.statusMentioning;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.Protocol;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Style;
import org.syncmesh.wire.Flags;

/**
 * Peers that break the wire rules (docs/protocol-0.7.md §1.3–§1.5, §7.2, §7.8) lose their own connection,
 * with a reason in {@link MeshSocket#status()}, and the node keeps serving everyone else.
 */
final class HostilePeerTest {

  private static final int MAX_FRAME = 64 * 1024;

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node() {
    return node(new MeshSocket.Builder());
  }

  private MeshSocket node(MeshSocket.Builder builder) {
    return net.track(builder.maxFrameBytes(MAX_FRAME).maxOutgoing(0).build());
  }

  // ------------------------------------------------------------------ framing

  @Test
  void textGarbageBeforeAnyHandshakeIsDropped() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    // "GET " read as a length header is 1.2 GB, far over the cap.
    hostile.writeRaw("GET / HTTP/1.1\r\nHost: mesh\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    hostile.assertClosedByNode();
    awaitStatus(node, "malformed input");
    assertStillServes(node, good);
  }

  @Test
  void garbageFrameAfterTheHandshakeIsDropped() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.PY2P_0_7_878);

    byte[] garbage = new byte[40];
    Arrays.fill(garbage, (byte) 0x5a);
    hostile.writeRaw(concat(header(garbage.length), garbage));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "SHA-256");
    assertStillServes(node, good);
  }

  @Test
  void oversizeHeaderIsDroppedWithoutWaitingForTheBody() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    hostile.writeRaw(header(MAX_FRAME + 1)); // and never a byte of body

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, String.valueOf(MAX_FRAME + 1 + 4));
    assertStillServes(node, good);
  }

  @Test
  void badChecksumIsDroppedAndNotDelivered() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "tampered"));
    frame[frame.length - 1] ^= 0x01; // last body byte: the checksum no longer matches
    hostile.writeRaw(frame);

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "SHA-256 check failed");
    assertThat(node.recv(100)).as("messages delivered from the bad frame").isEmpty();
    assertStillServes(node, good);
  }

  @Test
  void malformedMsgpackIsDropped() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.PY2P_0_7_870);

    // A valid checksum over a body that is not msgpack (0xc1 is never used).
    hostile.writeRaw(frameWithValidChecksum(new byte[] {(byte) 0x94, 0x00, (byte) 0xc1, 0x00, 0x00}));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "malformed input");
    assertStillServes(node, good);
  }

  @ParameterizedTest(name = "body {0}")
  @ValueSource(strings = {
      "80",                 // a map, not an array
      "9200a178",           // [0, "x"]: fewer than 3 elements
      "93a1780000",         // ["x", 0, 0]: main flag is not an integer
      "930000a178",         // [0, 0, "x"]: sender is an integer, time a string
  })
  void bodyOfTheWrongShapeIsDropped(String bodyHex) {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    hostile.writeRaw(frameWithValidChecksum(HexFormat.of().parseHex(bodyHex)));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "malformed input");
    assertStillServes(node, good);
  }

  @Test
  void headerShorterThanThePayloadIsDropped() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "short header"));
    byte[] lying = concat(header(frame.length - 4 - 5), Arrays.copyOfRange(frame, 4, frame.length));
    hostile.writeRaw(lying);

    hostile.assertClosedByNode();
    awaitStatus(node, "malformed input");
    assertStillServes(node, good);
  }

  @Test
  void headerLongerThanThePayloadStallsAndIsDropped() {
    MeshSocket node = node(new MeshSocket.Builder().stalledFrameTimeout(Duration.ofMillis(300)));
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "long header"));
    hostile.writeRaw(concat(header(frame.length - 4 + 10), Arrays.copyOfRange(frame, 4, frame.length)));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "stalled mid-frame");
    assertStillServes(node, good);
  }

  @Test
  void frameAfterABadFrameInTheSameWriteIsIgnored() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] bad = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "bad"));
    bad[bad.length - 1] ^= 0x01;
    byte[] after = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "after the bad frame"));
    hostile.writeRaw(concat(bad, after));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    // Whatever follows the frame that condemned the link must not be acted on.
    assertThat(node.recv(100)).as("messages delivered after a bad frame").isEmpty();
    assertThat(good.recv(100)).as("messages relayed after a bad frame").isEmpty();
    assertStillServes(node, good);
  }

  // ------------------------------------------------------------------ killed and stalled peers

  @Test
  void peerKilledMidFrameIsUnregistered() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.PY2P_0_7_878);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "x".repeat(500)));
    hostile.writeRaw(Arrays.copyOf(frame, frame.length / 2));
    hostile.abort();

    awaitUnregistered(node, hostile);
    assertThat(node.recv(100)).as("messages delivered from half a frame").isEmpty();
    assertStillServes(node, good);
  }

  @Test
  void peerClosingHalfwayThroughAFrameIsUnregistered() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "y".repeat(500)));
    hostile.writeRaw(Arrays.copyOf(frame, frame.length / 2));
    hostile.close();

    awaitUnregistered(node, hostile);
    awaitStatus(node, "truncated frame");
    assertStillServes(node, good);
  }

  @Test
  void peerClosingBetweenFramesLeavesNoStatus() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    hostile.writeFrame(hostile.message(Flags.MAIN_BROADCAST, 0L, "z".repeat(500)));
    hostile.close();

    awaitUnregistered(node, hostile);
    assertStillServes(node, good);
    assertThat(node.status()).isEqualTo("Nominal");
  }

  @Test
  void stalledMidFrameIsDroppedAfterTheStallTimeout() {
    MeshSocket node = node(new MeshSocket.Builder().stalledFrameTimeout(Duration.ofMillis(300)));
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer hostile = handshaken(net, node, Style.JS2P);

    byte[] frame = hostile.frameOf(hostile.message(Flags.MAIN_BROADCAST, 0L, "stall"));
    hostile.writeRaw(Arrays.copyOf(frame, 10));

    hostile.assertClosedByNode();
    awaitUnregistered(node, hostile);
    awaitStatus(node, "stalled mid-frame");
    assertStillServes(node, good);
  }

  @Test
  void idleLinkWithoutAPartialFrameIsKept() {
    MeshSocket node = node(new MeshSocket.Builder().stalledFrameTimeout(Duration.ofMillis(100)));
    ScriptedPeer idle = handshaken(net, node, Style.JS2P);

    // Ten stall timeouts with nothing on the wire: an idle link is no stall (docs/protocol-0.7.md §7.8).
    await("an idle link to stay registered").during(Duration.ofSeconds(1)).atMost(WAIT)
        .until(() -> node.routingTable().containsKey(idle.id()));
    node.send("still here");
    ScriptedPeer.Frame frame = idle.readMatching(f -> f.subFlag() == Flags.SUB_BROADCAST);
    assertThat(frame.packets()).containsExactly(0L, "still here");
    assertThat(node.status()).isEqualTo("Nominal");
  }

  // ------------------------------------------------------------------ handshakes

  @Test
  void silentConnectionIsClosedByTheHandshakeTimeout() {
    MeshSocket node = node(new MeshSocket.Builder().handshakeTimeout(Duration.ofMillis(300)));
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer silent = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    silent.assertClosedByNode();
    awaitStatus(node, "handshake timed out after 300ms");
    assertStillServes(node, good);
  }

  @Test
  void messagesBeforeTheHandshakeAreIgnoredAndTheTimeoutStillApplies() {
    MeshSocket node = node(new MeshSocket.Builder().handshakeTimeout(Duration.ofMillis(300)));
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer early = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    early.send(Flags.MAIN_BROADCAST, 0L, "before handshake");

    early.assertClosedByNode();
    assertThat(node.recv(100)).as("messages delivered before a handshake").isEmpty();
    assertStillServes(node, good);
  }

  @Test
  void handshakeOfTheWrongLengthIsIgnoredUntilTheTimeout() {
    MeshSocket node = node(new MeshSocket.Builder().handshakeTimeout(Duration.ofMillis(300)));
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer odd = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    // Four packets: both reference peers ignore it silently (§7.2); the timeout ends the link.
    odd.send(Flags.MAIN_WHISPER, (long) Flags.SUB_HANDSHAKE, odd.wireId(), node.protocol().id(), List.of("127.0.0.1", 1L));

    odd.assertClosedByNode();
    assertThat(node.routingTable()).doesNotContainKey(odd.id());
    assertStillServes(node, good);
  }

  @Test
  void malformedHandshakeIsDropped() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer odd = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    odd.send(Flags.MAIN_WHISPER, (long) Flags.SUB_HANDSHAKE, 12345L, node.protocol().id(), List.of("127.0.0.1", 1L),
        List.of());

    odd.assertClosedByNode();
    awaitStatus(node, "malformed handshake");
    assertStillServes(node, good);
  }

  @Test
  void protocolMismatchIsAnsweredThenClosed() {
    MeshSocket node = node();
    MeshSocket good = goodPeer(net, node);
    ScriptedPeer stranger = net.track(ScriptedPeer.connect(node.port(), Style.JS2P));

    stranger.sendHandshake(new Protocol("elsewhere", Protocol.PLAINTEXT).id());

    // The node answers with its own handshake first, so a connector can tell why (§7.2).
    ScriptedPeer.Frame answer = stranger.read();
    assertThat(answer.subFlag()).isEqualTo(Flags.SUB_HANDSHAKE);
    assertThat(answer.packets().get(2)).isEqualTo(node.protocol().id());
    stranger.assertClosedByNode();
    awaitStatus(node, "protocol mismatch");
    assertThat(node.routingTable()).doesNotContainKey(stranger.id());
    assertStillServes(node, good);
  }

  // ------------------------------------------------------------------ helpers

  private static void awaitUnregistered(MeshSocket node, ScriptedPeer peer) {
    await("node to drop " + peer + " from its routing table").atMost(WAIT)
        .until(() -> !node.routingTable().containsKey(peer.id()));
  }

  private static void awaitStatus(MeshSocket node, String text) {
    await("a status entry mentioning '" + text + "'").atMost(WAIT)
        .until(() -> !statusMentioning(node, text).isEmpty());
  }

  private static byte[] header(int n) {
    return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  private static byte[] frameWithValidChecksum(byte[] body) {
    try {
      byte[] sum = MessageDigest.getInstance("SHA-256").digest(body);
      return concat(header(sum.length + body.length), sum, body);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
