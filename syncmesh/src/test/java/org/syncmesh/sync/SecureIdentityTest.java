package org.syncmesh.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.store.StorageException;

/**
 * The identity of a secure sync socket (docs/security.md): kept in its data directory's
 * {@code identity.key}, or given; its id is the identity's. Links are not tested here.
 */
final class SecureIdentityTest {

  @TempDir Path dir;
  private int minted;

  /** A builder of a secure node whose certificate names {@code id}, as a node's must. */
  private SyncSocket.Builder secureFor(String id) {
    try {
      Path d = Files.createDirectories(dir.resolve("certs-" + minted++));
      NodeCertificates.Issued authority = NodeCertificates.authority("test CA", Duration.ofDays(1));
      NodeCertificates.Issued node = NodeCertificates.node(authority, id, Duration.ofDays(1));
      NodeCertificates.write(node, d.resolve("node.pem"), d.resolve("node.key"));
      Files.writeString(d.resolve("ca.pem"), NodeCertificates.pem(authority.certificate()));
      return new SyncSocket.Builder().port(0).secure(d.resolve("node.pem"), d.resolve("node.key"), d.resolve("ca.pem"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A builder whose certificate names nobody in particular: for nodes refused before their links. */
  private SyncSocket.Builder secure() {
    return secureFor("placeholder");
  }

  /** A data directory holding only an identity key: as syncmesh certs node leaves one before the first start. */
  private Path dataWithKey(String name, NodeIdentity identity) throws Exception {
    Path data = Files.createDirectories(dir.resolve(name));
    Files.writeString(data.resolve(DataDirectory.IDENTITY_KEY), identity.toPem());
    return data;
  }

  private static String propertiesId(Path data) throws Exception {
    Properties p = new Properties();
    try (var r = Files.newBufferedReader(data.resolve("syncmesh.properties"))) {
      p.load(r);
    }
    return p.getProperty("id");
  }

  @Test
  void firstStart_makesAnOwnerOnlyIdentityKey_andLaterStartsRunWithItsId() throws Exception {
    Path data = dir.resolve("a");
    // The certificate cannot name the id: nobody knew it before the key was made. So the node
    // is refused (its certificate must name its id), but the key is made and kept all the same.
    assertThatThrownBy(() -> secure().dataDirectory(data).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names node placeholder");
    Path file = data.resolve(DataDirectory.IDENTITY_KEY);
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(data.resolve(DataDirectory.IDENTITY_KEY + ".tmp")).doesNotExist();
    String id = NodeIdentity.fromPem(Files.readString(file)).id();
    try (SyncSocket again = secureFor(id).dataDirectory(data).build()) {
      assertThat(again.id()).isEqualTo(id);
    }
    assertThat(propertiesId(data)).isEqualTo(id);
    assertThat(NodeIdentity.fromPem(Files.readString(file)).id()).isEqualTo(id); // read, not made again
  }

  @Test
  void identity_withoutDataDirectory_namesTheNode() {
    NodeIdentity identity = NodeIdentity.generate();
    try (SyncSocket s = secureFor(identity.id()).identity(identity).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void identity_withANewDataDirectory_isKeptThere() throws Exception {
    NodeIdentity identity = NodeIdentity.generate();
    Path data = dir.resolve("b");
    try (SyncSocket s = secureFor(identity.id()).identity(identity).dataDirectory(data).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
    assertThat(IdentityKeys.read(data.resolve(DataDirectory.IDENTITY_KEY))).isEqualTo(identity);
    try (SyncSocket s = secureFor(identity.id()).identity(identity).dataDirectory(data).build()) { // the same: accepted
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void identity_otherThanTheDataDirectorysKey_isRefused() throws Exception {
    NodeIdentity mine = NodeIdentity.generate();
    Path data = dataWithKey("c", mine);
    String id = mine.id();
    try (SyncSocket s = secureFor(id).dataDirectory(data).build()) {
      assertThat(s.id()).isEqualTo(id);
    }
    NodeIdentity other = NodeIdentity.generate();
    assertThatThrownBy(() -> secureFor(other.id()).identity(other).dataDirectory(data).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("belongs to node " + id)
        .hasMessageContaining("not to " + other.id());
    try (SyncSocket s = secureFor(id).dataDirectory(data).build()) { // refused without harm: the lock is free again
      assertThat(s.id()).isEqualTo(id);
    }
  }

  @Test
  void openNetworksDirectory_isRefusedByASecureNode_andTheOtherWayRound() throws Exception {
    Path open = dir.resolve("open");
    new SyncSocket.Builder().port(0).dataDirectory(open).build().close();
    assertThatThrownBy(() -> secure().dataDirectory(open).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("belongs to a node of an open network")
        .hasMessageContaining("no identity.key");
    assertThat(open.resolve(DataDirectory.IDENTITY_KEY)).doesNotExist();

    NodeIdentity identity = NodeIdentity.generate();
    Path secured = dataWithKey("secured", identity);
    secureFor(identity.id()).dataDirectory(secured).build().close();
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
    assertThatThrownBy(() -> secureFor(identity.id()).identity(identity).id(other).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leave id(...) out");
    assertThatThrownBy(() -> secure().dataDirectory(dir.resolve("d")).id(other).build())
        .isInstanceOf(IllegalArgumentException.class);
    try (SyncSocket s = secureFor(identity.id()).identity(identity).id(identity.id()).build()) {
      assertThat(s.id()).isEqualTo(identity.id());
    }
  }

  @Test
  void keyMadeBeforeTheFirstStart_byIdentityKeys_isTheOneTheNodeUses() {
    Path data = dir.resolve("e");
    NodeIdentity made = IdentityKeys.ofDataDirectory(data);
    assertThat(IdentityKeys.ofDataDirectory(data)).isEqualTo(made); // read, not made again
    try (SyncSocket s = secureFor(made.id()).dataDirectory(data).build()) {
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
