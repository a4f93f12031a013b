package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.assertStillServes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.syncmesh.Protocol;
import org.syncmesh.testing.NetworkTestRule;
import org.syncmesh.testing.ScriptedPeer;
import org.syncmesh.testing.ScriptedPeer.Style;

/** The SSL transport (docs/protocol-0.7.md §1.1): TLS between nodes, and clean refusals across transports. */
final class TlsTest {

  private static final Protocol SSL = new Protocol("mesh", Protocol.SSL);
  private static final Protocol PLAIN = new Protocol("mesh", Protocol.PLAINTEXT);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();

  private MeshSocket node(Protocol protocol) {
    return net.track(new MeshSocket.Builder().protocol(protocol).maxOutgoing(0).build());
  }

  private MeshSocket node(MeshSocket.Builder builder) {
    return net.track(builder.maxOutgoing(0).build());
  }

  @Test
  void sslToSslHandshakesAndBroadcastsBothWays() {
    MeshSocket server = node(SSL);
    MeshSocket client = node(SSL);

    PeerInfo peer = client.connect("127.0.0.1", server.port()).orTimeout(20, TimeUnit.SECONDS).join();

    assertThat(peer.id()).isEqualTo(server.id());
    await("server to register the TLS client").atMost(WAIT).until(() -> server.routingTable().containsKey(client.id()));
    assertStillServes(server, client);
    assertThat(server.status()).isEqualTo("Nominal");
    assertThat(client.status()).isEqualTo("Nominal");
  }

  @Test
  void plaintextToSslIsRefusedCleanly() {
    MeshSocket server = node(SSL);
    MeshSocket good = node(SSL);
    good.connect("127.0.0.1", server.port()).orTimeout(20, TimeUnit.SECONDS).join();
    MeshSocket plain = node(PLAIN);

    CompletableFuture<PeerInfo> attempt = plain.connect("127.0.0.1", server.port());

    assertThat(attempt).failsWithin(Duration.ofSeconds(15));
    assertThat(plain.routingTable()).isEmpty();
    assertThat(server.routingTable()).containsOnlyKeys(good.id());
    await("a status entry for the failed TLS handshake").atMost(WAIT)
        .until(() -> !Peers.statusMentioning(server, "TLS handshake failed").isEmpty());
    assertStillServes(server, good);
  }

  @Test
  void sslToPlaintextIsRefusedCleanly() {
    MeshSocket server = node(PLAIN);
    MeshSocket ssl = node(SSL);

    CompletableFuture<PeerInfo> attempt = ssl.connect("127.0.0.1", server.port());

    assertThat(attempt).failsWithin(Duration.ofSeconds(15));
    assertThat(ssl.routingTable()).isEmpty();
    assertThat(server.routingTable()).isEmpty();
  }

  @Test
  void plaintextGarbageToAnSslNodeIsDropped() {
    MeshSocket server = node(SSL);
    ScriptedPeer raw = net.track(ScriptedPeer.connect(server.port(), Style.JS2P));

    raw.writeRaw("not a TLS record at all, just text\r\n".getBytes(StandardCharsets.US_ASCII));

    raw.assertClosedByNode();
    assertThat(server.routingTable()).isEmpty();
  }

  @Test
  void silentConnectionToAnSslNodeIsClosedByTheHandshakeTimeout() {
    MeshSocket server = node(new MeshSocket.Builder().protocol(SSL).handshakeTimeout(Duration.ofMillis(300)));
    ScriptedPeer silent = net.track(ScriptedPeer.connect(server.port(), Style.JS2P));

    // No ClientHello ever: the handshake timeout covers the TLS handshake too.
    silent.assertClosedByNode(Duration.ofSeconds(5));
    assertThat(server.routingTable()).isEmpty();
  }
}
