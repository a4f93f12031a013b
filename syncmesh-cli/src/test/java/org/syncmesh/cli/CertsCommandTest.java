package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.store.DataDirectory;
import org.syncmesh.sync.IdentityKeys;
import picocli.CommandLine;

/** {@code syncmesh certs}: a CA, node certificates for identities, and the ids of keys. */
final class CertsCommandTest {

  @TempDir Path dir;

  /** What a command printed and returned. */
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    CommandLine main = Main.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    main.setOut(new PrintWriter(out));
    main.setErr(new PrintWriter(err));
    int status = main.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static X509Certificate certificate(Path file) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void ca_writesACertificateAndAnOwnerOnlyKey_andRefusesToOverwriteThem() throws Exception {
    Path ca = dir.resolve("ca");
    Run made = run("certs", "ca", "--out", ca.toString(), "--name", "lab CA", "--days", "30");
    assertThat(made.status()).isZero();
    assertThat(made.out()).contains(ca.resolve("ca.pem").toString());
    X509Certificate cert = certificate(ca.resolve("ca.pem"));
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=lab CA");
    assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(Files.readString(ca.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(permissions(ca.resolve("ca.key"))).isEqualTo("rw-------");
    String before = Files.readString(ca.resolve("ca.key"));

    Run again = run("certs", "ca", "--out", ca.toString());
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).startsWith("error: " + ca.resolve("ca.pem") + " exists").hasLineCount(1);
    assertThat(Files.readString(ca.resolve("ca.key"))).isEqualTo(before);
  }

  @Test
  void node_withAnIdentityFile_printsItsId_andWritesACertificateForIt_signedByTheCa() throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("certs", "ca", "--out", ca.toString()).status()).isZero();
    NodeIdentity identity = NodeIdentity.generate();
    Path key = dir.resolve("a.key");
    Files.writeString(key, identity.toPem());
    Path out = dir.resolve("a");

    Run issued = run("certs", "node", "--ca", ca.toString(), "--identity", key.toString(), "--out", out.toString(),
        "--days", "10");
    assertThat(issued.status()).as(issued.err()).isZero();
    assertThat(issued.out()).isEqualTo(identity.id() + System.lineSeparator());
    X509Certificate cert = certificate(out.resolve("node.pem"));
    cert.verify(certificate(ca.resolve("ca.pem")).getPublicKey());
    assertThat(NodeCertificates.nodeId(cert)).contains(identity.id());
    assertThat(permissions(out.resolve("node.key"))).isEqualTo("rw-------");
    assertThat(out.resolve("node.key.tmp")).doesNotExist();
    assertThat(Files.readString(key)).isEqualTo(identity.toPem()); // read, not replaced
    // Again: a new certificate replaces the old one (rotation).
    byte[] first = Files.readAllBytes(out.resolve("node.pem"));
    assertThat(run("certs", "node", "--ca", ca.toString(), "--identity", key.toString(), "--out", out.toString())
        .status()).isZero();
    assertThat(Files.readAllBytes(out.resolve("node.pem"))).isNotEqualTo(first);
  }

  @Test
  void node_withADataDirectory_keepsTheIdentityThere_forTheNodeToUse() throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("certs", "ca", "--out", ca.toString()).status()).isZero();
    Path data = dir.resolve("data");
    NodeIdentity identity = NodeIdentity.generate();
    Files.createDirectories(data);
    Files.writeString(data.resolve(DataDirectory.IDENTITY_KEY), identity.toPem());
    Run issued = run("certs", "node", "--ca", ca.toString(), "--data", data.toString(), "--out",
        dir.resolve("out").toString());
    assertThat(issued.status()).as(issued.err()).isZero();
    assertThat(issued.out().strip()).isEqualTo(identity.id());
    assertThat(NodeCertificates.nodeId(certificate(dir.resolve("out/node.pem")))).contains(identity.id());
  }

  @Test
  void node_makesAMissingIdentity_inTheDataDirectory() throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(run("certs", "ca", "--out", ca.toString()).status()).isZero();
    Path data = dir.resolve("new-node");
    Run issued = run("certs", "node", "--ca", ca.toString(), "--data", data.toString(), "--out",
        dir.resolve("out").toString());
    Path key = data.resolve(DataDirectory.IDENTITY_KEY);
    assertThat(key).exists();
    assertThat(permissions(key)).isEqualTo("rw-------");
    assertThat(issued.status()).as(issued.err()).isZero();
    assertThat(issued.out().strip()).isEqualTo(IdentityKeys.read(key).id());
    assertThat(NodeCertificates.nodeId(certificate(dir.resolve("out/node.pem")))).contains(IdentityKeys.read(key).id());
  }

  @Test
  void node_failures_areOneErrorLine_orUsage() throws Exception {
    Run noCa = run("certs", "node", "--ca", dir.resolve("none").toString(), "--identity",
        dir.resolve("k").toString(), "--out", dir.resolve("o").toString());
    assertThat(noCa.status()).isEqualTo(1);
    assertThat(noCa.err()).startsWith("error: no " + dir.resolve("none/ca.pem")).hasLineCount(1);
    Run both = run("certs", "node", "--ca", "c", "--identity", "k", "--data", "d", "--out", "o");
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.err()).contains("mutually exclusive").contains("Usage: syncmesh certs node");
    Run neither = run("certs", "node", "--ca", "c", "--out", "o");
    assertThat(neither.status()).isEqualTo(2);
    assertThat(neither.err()).contains("--data=DATADIR | --identity=FILE");
    assertThat(run("certs", "ca", "--out", "o", "--days", "0").status()).isEqualTo(2);
    assertThat(run("certs").status()).isEqualTo(2);
  }

  @Test
  void id_printsTheIdOfAKey_includingOneOpensslMade() throws Exception {
    NodeIdentity identity = NodeIdentity.generate();
    Path key = dir.resolve("id.key");
    Files.writeString(key, identity.toPem());
    Run r = run("certs", "id", "--identity", key.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out().strip()).isEqualTo(identity.id());

    // Made by openssl genpkey -algorithm ed25519; its id computed apart, with openssl and Python:
    // openssl pkey -pubout -outform DER | tail -c 32 | openssl dgst -sha384 -binary | base58
    String openssl = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJG5RZn5evsIR4z09vBae+qza6fbMz7hcKn9eNgAlMLg
        -----END PRIVATE KEY-----
        """;
    Files.writeString(key, openssl);
    Run o = run("certs", "id", "--identity", key.toString());
    assertThat(o.status()).isZero();
    assertThat(o.out().strip()).isEqualTo("7HoBnf8uU8rVXPc4byVsFbt9kvKrLrS7Qqi84pG78DGNuppzVVPdjzHp2isE5t2ubk");

    Run missing = run("certs", "id", "--identity", dir.resolve("none").toString());
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).startsWith("error: no identity key").hasLineCount(1);
    Files.writeString(key, "garbage");
    assertThat(run("certs", "id", "--identity", key.toString()).err()).contains("is unusable");
  }
}
