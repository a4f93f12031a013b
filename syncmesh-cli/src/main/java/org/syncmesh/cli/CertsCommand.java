package org.syncmesh.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.jspecify.annotations.Nullable;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates;
import org.syncmesh.store.StorageException;
import org.syncmesh.sync.IdentityKeys;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code syncmesh certs}: the certificates and identities of a secure network (docs/security.md),
 * for development and small networks; production CAs make the same with openssl.
 *
 * <ul>
 *   <li>{@code certs ca --out DIR}: a new certificate authority, {@code DIR/ca.pem} and
 *       {@code DIR/ca.key} (never overwritten);
 *   <li>{@code certs node --ca DIR (--data DATADIR | --identity FILE) --out DIR}: reads or makes
 *       the node's identity key, prints its id, and writes {@code node.pem} and {@code node.key},
 *       a certificate for that id signed by the CA (replacing earlier ones: that is rotation);
 *   <li>{@code certs id --identity FILE}: prints the id of an identity key.
 * </ul>
 *
 * <p>Exit status 0 on success, 1 when the work fails (a file exists, cannot be read…), with one
 * {@code error:} line on standard error, and 2 for a bad command line, as {@code syncmesh node}.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    subcommands = {CertsCommand.Ca.class, CertsCommand.Node.class, CertsCommand.Id.class},
    description = {
        "Certificates and identities of a secure network (docs/security.md), for development and small networks.",
        "Production CAs can make the same with openssl: the docs show how."})
final class CertsCommand implements Runnable {

  static final String CA_CERT = "ca.pem";
  static final String CA_KEY = "ca.key";
  static final String NODE_CERT = "node.pem";
  static final String NODE_KEY = "node.key";

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: ca, node or id");
  }

  /** Runs {@code work}: a failure is one {@code error:} line and status 1. */
  static int run(CommandLine.Model.CommandSpec spec, Callable<Integer> work) {
    try {
      return work.call();
    } catch (Exception e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + oneLine(e));
      err.flush();
      return 1;
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() != null ? e.getMessage() : e.toString();
    return m.replaceAll("\\s*\\R\\s*", " ");
  }

  /** {@code certs ca}. */
  @Command(name = "ca", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = {"Makes a network's certificate authority: OUT/ca.pem (give it to every node, --tls-ca) and "
          + "OUT/ca.key (keep it secret, off the nodes). Refuses to overwrite them."})
  static final class Ca implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write to (created if missing).")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "syncmesh CA",
        description = "The CA's common name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--days", paramLabel = "N", defaultValue = "3650",
        description = "Days the CA is valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
      checkDays(spec, days);
      return run(spec, () -> {
        Path cert = out.resolve(CA_CERT);
        Path key = out.resolve(CA_KEY);
        for (Path f : new Path[] {cert, key}) {
          if (Files.exists(f)) {
            throw new FileAlreadyExistsException(f + " exists: a CA is made once (remove it to make another, "
                + "and every certificate it signed goes with it)");
          }
        }
        Files.createDirectories(out);
        NodeCertificates.Issued ca = NodeCertificates.authority(name, Duration.ofDays(days));
        NodeCertificates.writeSecret(key, NodeCertificates.pem(ca.key()));
        Files.writeString(cert, NodeCertificates.pem(ca.certificate()));
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + cert + " (the CA certificate: every node's --tls-ca) and " + key
            + " (the CA key: keep it secret), valid " + days + " days");
        o.flush();
        return 0;
      });
    }
  }

  /** Where a node's identity key is: its data directory's, or a file. */
  static final class IdentitySource {
    @Option(names = "--data", paramLabel = "DATADIR", required = true,
        description = "The node's data directory: its identity.key, made (with the directory) if missing.")
    @Nullable Path data;

    @Option(names = "--identity", paramLabel = "FILE", required = true,
        description = "The node's identity key file (PEM PKCS#8 Ed25519), made if missing.")
    @Nullable Path identity;
  }

  /** {@code certs node}. */
  @Command(name = "node", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = {"Issues a node's certificate: reads the node's identity key (or makes it), prints the node id "
          + "on standard output, and writes OUT/node.pem and OUT/node.key (the node's --tls-cert and --tls-key), "
          + "a certificate for that id signed by the CA in CA_DIR. Existing ones are replaced: that is how a "
          + "certificate rotates (a running node takes the new files for its next links)."})
  static final class Node implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--ca", paramLabel = "CA_DIR", required = true,
        description = "The CA's directory, with ca.pem and ca.key (from certs ca).")
    Path ca;

    @ArgGroup(exclusive = true, multiplicity = "1")
    IdentitySource source;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write to (created if missing).")
    Path out;

    @Option(names = "--days", paramLabel = "N", defaultValue = "365",
        description = "Days the certificate is valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() {
      checkDays(spec, days);
      return run(spec, () -> {
        NodeCertificates.Issued authority = readAuthority(ca);
        NodeIdentity identity = source.data != null ? IdentityKeys.ofDataDirectory(source.data)
            : IdentityKeys.readOrCreate(source.identity);
        NodeCertificates.Issued node = NodeCertificates.node(authority, identity.id(), Duration.ofDays(days));
        Files.createDirectories(out);
        Path cert = out.resolve(NODE_CERT);
        Path key = out.resolve(NODE_KEY);
        // Each file replaced atomically, the key first: a node reloading meanwhile never reads half a file.
        Path keyTmp = out.resolve(NODE_KEY + ".tmp");
        Path certTmp = out.resolve(NODE_CERT + ".tmp");
        NodeCertificates.writeSecret(keyTmp, NodeCertificates.pem(node.key()));
        Files.writeString(certTmp, NodeCertificates.pem(node.certificate()));
        Files.move(keyTmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(certTmp, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        PrintWriter o = spec.commandLine().getOut();
        o.println(identity.id());
        o.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("wrote " + cert + " and " + key + ": node " + identity.id() + ", signed by "
            + authority.certificate().getSubjectX500Principal().getName() + ", valid " + days + " days");
        err.flush();
        return 0;
      });
    }
  }

  /** {@code certs id}. */
  @Command(name = "id", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
      description = {"Prints the node id of an identity key (PEM PKCS#8 Ed25519, such as openssl genpkey "
          + "-algorithm ed25519 makes): base58 of the SHA-384 of its public key."})
  static final class Id implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--identity", paramLabel = "FILE", required = true, description = "The identity key file.")
    Path identity;

    @Override
    public Integer call() {
      return run(spec, () -> {
        PrintWriter o = spec.commandLine().getOut();
        o.println(IdentityKeys.read(identity).id());
        o.flush();
        return 0;
      });
    }
  }

  private static void checkDays(CommandLine.Model.CommandSpec spec, int days) {
    if (days < 1 || days > 100 * 366) {
      throw new CommandLine.ParameterException(spec.commandLine(), "bad option: --days: " + days
          + " (expected: 1 to 36600)");
    }
  }

  /**
   * The CA in {@code dir}: {@code ca.pem} and {@code ca.key}.
   *
   * @throws StorageException if either is missing or unreadable
   */
  static NodeCertificates.Issued readAuthority(Path dir) {
    Path certFile = dir.resolve(CA_CERT);
    Path keyFile = dir.resolve(CA_KEY);
    Object cert = readPem(certFile);
    Object key = readPem(keyFile);
    try {
      if (!(cert instanceof X509CertificateHolder holder)) {
        throw new StorageException(certFile + " holds no certificate");
      }
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
      JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
      PrivateKey privateKey;
      if (key instanceof PrivateKeyInfo info) {
        privateKey = keys.getPrivateKey(info);
      } else if (key instanceof PEMKeyPair pair) {
        privateKey = keys.getKeyPair(pair).getPrivate();
      } else {
        throw new StorageException(keyFile + " holds no private key (want PEM, PKCS#8 or EC)");
      }
      return new NodeCertificates.Issued(certificate, privateKey);
    } catch (java.security.cert.CertificateException | org.bouncycastle.openssl.PEMException e) {
      throw new StorageException("cannot read the CA in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static @Nullable Object readPem(Path file) {
    try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.UTF_8)))) {
      return parser.readObject();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StorageException("no " + file + ": give the directory certs ca wrote (--ca)", e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e, e);
    }
  }
}
