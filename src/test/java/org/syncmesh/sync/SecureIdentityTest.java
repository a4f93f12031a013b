package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.net.NodeCertificates;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.StorageException;
import org.syncmesh.wire.NodeIdentity;

/**
 * The identity of a secure sync socket (docs/security.md): kept in its data directory's
 * {@code identity.key}, or given; its id is the identity's. Links are not tested here.
 */
final class SecureIdentityTest {

  @TempDir Path dir;
  private Path cert;
  private Path key;
  private Path ca;

  /**
   * A CA and a node certificate: the files secure(...) needs. They name a short made-up id: what
   * a certificate names matters to links, not tested here (and NodeCertificates cannot put a
   * 65- or 66-character id in a common name, which RFC 5280 bounds at 64).
   */
  @BeforeEach
  void mintCertificates() throws Exception {
    NodeCertificates.Issued authority = NodeCertificates.authority("test CA", Duration.ofDays(1));
    NodeCertificates.Issued node = NodeCertificates.node(authority, "testnode", Duration.ofDays(1));
    cert = dir.resolve("node.pem");
    key = dir.resolve("node.key");
    ca = dir.resolve("ca.pem");
    NodeCertificates.write(node, cert, key);
    Files.writeString(ca, NodeCertificates.pem(authority.certificate()));
  }

  private SyncSocket.Builder secure() {
    return new SyncSocket.Builder().port(0).secure(cert, key, ca);
  }

  private static String propertiesId(Path data) throws Exception {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(data.resolve("syncmesh.properties"))) {
      p.load(r);
    }
    return p.getProperty("id");
  }

  @Test
  void firstStart_makesAnOwnerOnlyIdentityKey_whoseIdIsTheNodes_andLaterStartsReadIt() throws Exception {
    Path data = dir.resolve("a");
    String id;
    try (SyncSocket s = secure().dataDirectory(data).build()) {
      id = s.id();
    }
    Path file = data.resolve(DataDirectory.IDENTITY_KEY);
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(NodeIdentity.fromPem(Files.readString(file)).id()).isEqualTo(id);
    assertThat(propertiesId(data)).isEqualTo(id);
    try (SyncSocket again = secure().dataDirectory(data).build()) {
      assertThat(again.id()).isEqualTo(id);
    }
    assertThat(data.resolve(DataDirectory.IDENTITY_KEY + ".tmp")).doesNotExist();
  }

  @Test
  void identity_withoutDataDirectory_namesTheNode() {
    NodeIdentity identity = NodeIdentity.generate();
    try (SyncSocket s = secure().identity(identity).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void identity_withANewDataDirectory_isKeptThere() throws Exception {
    NodeIdentity identity = NodeIdentity.generate();
    Path data = dir.resolve("b");
    try (SyncSocket s = secure().identity(identity).dataDirectory(data).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
    assertThat(IdentityKeys.read(data.resolve(DataDirectory.IDENTITY_KEY))).isEqualTo(identity);
    try (SyncSocket s = secure().identity(identity).dataDirectory(data).build()) { // the same: accepted
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void identity_otherThanTheDataDirectorysKey_isRefused() {
    Path data = dir.resolve("c");
    String id;
    try (SyncSocket s = secure().dataDirectory(data).build()) {
      id = s.id();
    }
    NodeIdentity other = NodeIdentity.generate();
    assertThatThrownBy(() -> secure().identity(other).dataDirectory(data).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("belongs to node " + id)
        .hasMessageContaining("not to " + other.id());
    try (SyncSocket s = secure().dataDirectory(data).build()) { // refused without harm: the lock is free again
      assertThat(s.id()).isEqualTo(id);
    }
  }

  @Test
  void openNetworksDirectory_isRefusedByASecureNode_andTheOtherWayRound() {
    Path open = dir.resolve("open");
    new SyncSocket.Builder().port(0).dataDirectory(open).build().close();
    assertThatThrownBy(() -> secure().dataDirectory(open).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("belongs to a node of an open network")
        .hasMessageContaining("no identity.key");
    assertThat(open.resolve(DataDirectory.IDENTITY_KEY)).doesNotExist();

    Path secured = dir.resolve("secured");
    secure().dataDirectory(secured).build().close();
    assertThatThrownBy(() -> new SyncSocket.Builder().port(0).dataDirectory(secured).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("belongs to a node of a secure network");
  }

  @Test
  void secureNode_withNeitherIdentityNorDataDirectory_isRefusedAtBuild() {
    assertThatThrownBy(() -> secure().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs an identity key")
        .hasMessageContaining("identity(...)")
        .hasMessageContaining("dataDirectory(...)");
  }

  @Test
  void anIdThatIsNotTheIdentitys_isRefusedAtBuild() {
    NodeIdentity identity = NodeIdentity.generate();
    String other = NodeIdentity.generate().id();
    assertThatThrownBy(() -> secure().identity(identity).id(other).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leave id(...) out");
    assertThatThrownBy(() -> secure().dataDirectory(dir.resolve("d")).id(other).build())
        .isInstanceOf(IllegalArgumentException.class);
    try (SyncSocket s = secure().identity(identity).id(identity.id()).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void keyMadeBeforeTheFirstStart_byIdentityKeys_isTheOneTheNodeUses() {
    Path data = dir.resolve("e");
    NodeIdentity made = IdentityKeys.ofDataDirectory(data);
    assertThat(IdentityKeys.ofDataDirectory(data)).isEqualTo(made); // read, not made again
    try (SyncSocket s = secure().dataDirectory(data).build()) {
      assertThat(s.id()).isEqualTo(made.id());
      assertThat(IdentityKeys.ofDataDirectory(data)).isEqualTo(made); // readable while the node runs
    }
    Path open = dir.resolve("open");
    new SyncSocket.Builder().port(0).dataDirectory(open).build().close();
    assertThatThrownBy(() -> IdentityKeys.ofDataDirectory(open)).isInstanceOf(StorageException.class)
        .hasMessageContaining("open network");
  }

  @Test
  void unusableIdentityKey_isRefusedWithItsPath() throws Exception {
    Path data = dir.resolve("f");
    Files.createDirectories(data);
    Files.writeString(data.resolve(DataDirectory.IDENTITY_KEY), "not a key");
    assertThatThrownBy(() -> secure().dataDirectory(data).build()).isInstanceOf(StorageException.class)
        .hasMessageContaining(data.resolve(DataDirectory.IDENTITY_KEY).toString())
        .hasMessageContaining("unusable");
  }
}
