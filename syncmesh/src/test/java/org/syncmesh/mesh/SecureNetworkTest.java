package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.syncmesh.mesh.Peers.WAIT;
import static org.syncmesh.mesh.Peers.assertStillServes;
import static org.syncmesh.mesh.Peers.statusMentioning;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.NodeIdentity;
import org.syncmesh.Protocol;
import org.syncmesh.mesh.NodeCertificates.Issued;
import org.syncmesh.mesh.spi.Extensions;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.testing.NetworkTestRule;

/** Secure networks (issue 13): members only, over mutually authenticated TLS 1.3. */
final class SecureNetworkTest {

  private static final Protocol PLAIN = new Protocol("mesh", Protocol.PLAINTEXT);
  private static final Protocol SSL = new Protocol("mesh", Protocol.SSL);
  private static final Duration DAY = Duration.ofDays(1);

  @RegisterExtension final NetworkTestRule net = new NetworkTestRule();
  @TempDir Path dir;
  private final AtomicInteger files = new AtomicInteger();

  /** A member's files: its identity, and a certificate and key issued to its id. */
  private record Member(NodeIdentity identity, Path certificate, Path key) {}

  private Path write(String text) throws IOException {
    Path file = dir.resolve("f" + files.incrementAndGet() + ".pem");
    Files.writeString(file, text);
    return file;
  }

  private Path cas(Issued... cas) throws IOException {
    StringBuilder pem = new StringBuilder();
    for (Issued ca : cas) {
      pem.append(NodeCertificates.pem(ca.certificate()));
    }
    return write(pem.toString());
  }

  private Member member(Issued ca) throws IOException {
    NodeIdentity identity = NodeIdentity.generate();
    return member(identity, NodeCertificates.node(ca, identity.id(), DAY));
  }

  private Member member(NodeIdentity identity, Issued certificate) throws IOException {
    int n = files.incrementAndGet();
    Path cert = dir.resolve("node" + n + ".crt");
    Path key = dir.resolve("node" + n + ".key");
    NodeCertificates.write(certificate, cert, key);
    return new Member(identity, cert, key);
  }

  private MeshSocket.Builder builder(Member m, Path cas) {
    return new MeshSocket.Builder().protocol(PLAIN).secure(m.certificate(), m.key(), cas).identity(m.identity())
        .maxOutgoing(0).reconnect(false);
  }

  private MeshSocket node(Member m, Path cas) {
    return net.track(builder(m, cas).build());
  }

  private MeshSocket node(MeshSocket.Builder builder) {
    return net.track(builder.maxOutgoing(0).reconnect(false).build());
  }

  private static PeerInfo join(MeshSocket from, MeshSocket to) {
    return from.connect("127.0.0.1", to.port()).orTimeout(20, TimeUnit.SECONDS).join();
  }

  private static void assertRefused(MeshSocket from, MeshSocket to) {
    CompletableFuture<PeerInfo> attempt = from.connect("127.0.0.1", to.port());
    assertThat(attempt).failsWithin(Duration.ofSeconds(15));
    assertThat(from.routingTable()).doesNotContainKey(to.id());
    assertThat(to.routingTable()).doesNotContainKey(from.id());
  }

  private static void awaitStatus(MeshSocket node, String text) {
    await(node + " to report '" + text + "'").atMost(WAIT).until(() -> !statusMentioning(node, text).isEmpty());
  }

  /** The certificate {@code socket} saw on its link to {@code peerId}. */
  private static X509Certificate seenBy(MeshSocket socket, String peerId) {
    MeshNode node = socket.node();
    return node.submit(() -> node.routing.get(peerId).link.peerCertificate().orElseThrow()).join();
  }

  private static void bump(Path... files) throws IOException {
    for (Path f : files) {
      Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(files.length * 10L)));
    }
  }

  @Test
  void membersJoinOverTls13AndSeeEachOthersCertifiedIds() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    Member ma = member(ca);
    Member mb = member(ca);
    MeshSocket a = node(ma, cas);
    MeshSocket b = node(mb, cas);

    PeerInfo peer = join(b, a);

    assertThat(a.protocol().transport()).as("a secure network runs over SSL whatever it was given").isEqualTo(
        Protocol.SSL);
    assertThat(a.id()).isEqualTo(ma.identity().id());
    assertThat(peer.id()).isEqualTo(a.id());
    await("a to register b").atMost(WAIT).until(() -> a.routingTable().containsKey(b.id()));
    assertStillServes(a, b);
    assertThat(NodeCertificates.nodeId(seenBy(a, b.id()))).contains(b.id());
    assertThat(NodeCertificates.nodeId(seenBy(b, a.id()))).contains(a.id());
    assertThat(a.statusErrors()).isEmpty();
    assertThat(b.statusErrors()).isEmpty();
  }

  @Test
  void aNodeWithoutACertificateIsRefusedOnBothSides() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    MeshSocket member = node(member(ca), cas);
    MeshSocket open = node(new MeshSocket.Builder().protocol(SSL)); // a protocol-0.7 SSL node: no certificate

    assertRefused(open, member);
    awaitStatus(member, "the peer presented no certificate from a CA this node trusts");
    awaitStatus(open, "the peer refused this node's certificate");

    assertRefused(member, open); // and the other way: its self-signed certificate is no member's
    awaitStatus(member, "not issued by a CA this node trusts");
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedOnBothSides() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Issued other = NodeCertificates.authority("other CA", DAY);
    MeshSocket member = node(member(ca), cas(ca));
    MeshSocket stranger = node(member(other), cas(ca, other)); // trusts the member, is not trusted

    assertRefused(stranger, member);
    awaitStatus(member, "the peer presented no certificate from a CA this node trusts");
    awaitStatus(stranger, "the peer refused this node's certificate");
  }

  @Test
  void anExpiredCertificateIsRefusedOnBothSides() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    MeshSocket member = node(member(ca), cas);
    NodeIdentity identity = NodeIdentity.generate();
    Instant now = Instant.now();
    Member expired = member(identity, NodeCertificates.node(ca, identity.id(), now.minus(Duration.ofDays(3)),
        now.minus(Duration.ofDays(1))));
    MeshSocket late = node(expired, cas);

    assertRefused(late, member);
    awaitStatus(member, "the peer's certificate is expired or not yet valid");
    awaitStatus(late, "the peer refused this node's certificate");
  }

  @Test
  void aPlaintextNodeIsRefused() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    MeshSocket member = node(member(ca), cas(ca));
    MeshSocket plain = node(new MeshSocket.Builder().protocol(PLAIN));

    assertRefused(plain, member);
    awaitStatus(member, "the peer does not speak TLS");
  }

  @Test
  void aPeerClaimingAnotherIdThanItsCertificateNamesIsRefused() throws Exception {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    MeshSocket member = node(member(ca), cas);
    Member victim = member(ca);
    // A node with a valid member certificate that claims another id than the one it names.
    SslContext server = SslContextBuilder.forServer(victim.certificate().toFile(), victim.key().toFile()).build();
    SslContext client = SslContextBuilder.forClient().keyManager(victim.certificate().toFile(), victim.key().toFile())
        .trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null).build();
    String claimed = NodeIdentity.generate().id();
    MeshSocket impostor = node(new MeshSocket.Builder().protocol(SSL).tls(server, client).id(claimed));

    assertRefused(impostor, member);
    awaitStatus(member, "claims node id " + claimed + " but its certificate was issued to node "
        + victim.identity().id());
  }

  @Test
  void aReplacedCertificateServesTheNextLinkWithoutRestart() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    Member ma = member(ca);
    MeshSocket a = node(ma, cas);
    MeshSocket first = node(member(ca), cas);
    join(first, a);
    X509Certificate old = seenBy(first, a.id());

    Issued renewed = NodeCertificates.node(ca, ma.identity().id(), DAY); // a new TLS key, the same id
    NodeCertificates.write(renewed, ma.certificate(), ma.key());
    bump(ma.certificate(), ma.key());

    // Links are made until one is made after the next stat (at most 500 ms apart).
    await("a link presenting the renewed certificate").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      MeshSocket next = node(member(ca), cas);
      join(next, a);
      return seenBy(next, a.id()).equals(renewed.certificate());
    });
    assertThat(old).isNotEqualTo(renewed.certificate());
    assertThat(a.routingTable()).containsKey(first.id()); // the old link stays up
  }

  @Test
  void aCaFileWithTwoCasAcceptsMembersOfBoth() throws IOException {
    Issued ca1 = NodeCertificates.authority("CA one", DAY);
    Issued ca2 = NodeCertificates.authority("CA two", DAY);
    Path both = cas(ca1, ca2);
    MeshSocket a = node(member(ca1), both);
    MeshSocket b = node(member(ca2), both);

    join(b, a);

    await("a to register b").atMost(WAIT).until(() -> a.routingTable().containsKey(b.id()));
    assertStillServes(a, b);
  }

  @Test
  void aDeniedMemberIsCutOffAndCannotReconnect() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    Path deny = write("# nobody yet\n\n");
    MeshSocket a = node(builder(member(ca), cas).denyList(deny));
    MeshSocket b = node(member(ca), cas);
    MeshSocket c = node(member(ca), cas);
    join(b, a);
    join(c, a);
    await("a to register b and c").atMost(WAIT).until(() -> a.routingTable().keySet().containsAll(
        java.util.List.of(b.id(), c.id())));
    assertThat(a.isDenied(b.id())).isFalse();

    Files.writeString(deny, "# cut off\n" + b.id() + "  # compromised\n");
    bump(deny);

    await("a to close its link to b").atMost(WAIT).until(() -> !a.routingTable().containsKey(b.id())
        && !b.routingTable().containsKey(a.id()));
    assertThat(a.isDenied(b.id())).isTrue();
    assertThat(a.isDenied(c.id())).isFalse();
    awaitStatus(a, "node " + b.id() + " (");
    assertRefused(b, a);
    awaitStatus(a, "denied node " + b.id() + " refused");
    assertStillServes(a, c);
  }

  @Test
  void startRefusesMissingIdentityAndACertificateOfAnotherNode() throws IOException {
    Issued ca = NodeCertificates.authority("test CA", DAY);
    Path cas = cas(ca);
    Member m = member(ca);

    assertThatThrownBy(() -> new MeshSocket.Builder().secure(m.certificate(), m.key(), cas).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs this node's identity");
    NodeIdentity someoneElse = NodeIdentity.generate();
    assertThatThrownBy(() -> new MeshSocket.Builder().secure(m.certificate(), m.key(), cas).identity(someoneElse)
        .build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names node " + m.identity().id()).hasMessageContaining(someoneElse.id());
    assertThatThrownBy(() -> new MeshSocket.Builder().secure(m.certificate(), m.key(), cas).identity(m.identity())
        .id(someoneElse.id()).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not its identity's id");
    // The sync layer's case: a restored id without the identity object.
    MeshSocket restored = net.track(Extensions.meshSocket(
        new MeshSocket.Builder().secure(m.certificate(), m.key(), cas), m.identity().id(), n -> (message, from) -> false));
    assertThat(restored.id()).isEqualTo(m.identity().id());
  }
}
