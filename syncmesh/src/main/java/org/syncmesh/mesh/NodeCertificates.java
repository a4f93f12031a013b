package org.syncmesh.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.syncmesh.net.CertificateIssuer;
import org.syncmesh.net.CertificateNames;
import org.syncmesh.net.Pkix;
import org.syncmesh.wire.Checks;

/**
 * Certificates of a secure network ({@link MeshOptions#secure}, docs/security.md): a network's certificate authority,
 * and node certificates that bind a TLS key to a node id (a URI {@value #NODE_URI_PREFIX}{@code <id>} among the
 * subject alternative names, and the id as common name, cut to the 64 characters RFC 5280 allows: a 66-character id
 * is named by its URI only). Keys are ECDSA P-256, which every TLS 1.3 stack and openssl speak. Made for development
 * and tests by {@code syncmesh certs}; production CAs make the same with openssl (the docs show how).
 *
 * <p>Making certificates ({@link #authority}, {@link #node}, {@link #pem}, {@link #write}) needs BouncyCastle's PKIX
 * jar ({@code org.bouncycastle:bcpkix-jdk18on}), an optional dependency of the library: without it they throw
 * {@link IllegalStateException} saying so. {@link #nodeId} and {@link #writeSecret} need only the JDK, and so does a
 * node that loads its certificate files.
 *
 * <p>Stateless; thread-safe.
 */
public final class NodeCertificates {

  /** The scheme and prefix of the subject alternative name URI that names a node. */
  public static final String NODE_URI_PREFIX = CertificateNames.NODE_URI_PREFIX;

  /**
   * A certificate and its private key.
   *
   * @param certificate the certificate
   * @param key its private key
   */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    /** Checks both are there. */
    public Issued {
      Checks.notNull(certificate, "certificate");
      Checks.notNull(key, "key");
    }
  }

  private NodeCertificates() {}

  /**
   * A self-signed certificate authority named {@code name}, valid from now for {@code validity}.
   *
   * @throws IllegalStateException if BouncyCastle's PKIX jar is not on the class path
   */
  public static Issued authority(String name, Duration validity) {
    Checks.notEmpty(name, "name");
    Checks.positive(validity, "validity");
    Pkix.require("making a certificate authority");
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    try {
      return new Issued(CertificateIssuer.authority(name, keys, now.minus(Duration.ofMinutes(5)), now.plus(validity)),
          keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a certificate authority: " + e.getMessage(), e);
    }
  }

  /**
   * A certificate for node {@code nodeId}, signed by {@code ca}, valid from now for {@code validity}.
   *
   * @throws IllegalStateException if BouncyCastle's PKIX jar is not on the class path
   */
  public static Issued node(Issued ca, String nodeId, Duration validity) {
    Checks.positive(validity, "validity");
    Instant now = Instant.now();
    return node(ca, nodeId, now.minus(Duration.ofMinutes(5)), now.plus(validity));
  }

  /**
   * A certificate for node {@code nodeId}, signed by {@code ca}, valid in [notBefore, notAfter].
   *
   * @throws IllegalStateException if BouncyCastle's PKIX jar is not on the class path
   */
  public static Issued node(Issued ca, String nodeId, Instant notBefore, Instant notAfter) {
    Checks.notNull(ca, "ca");
    Checks.notEmpty(nodeId, "nodeId");
    Checks.notNull(notBefore, "notBefore");
    Checks.notNull(notAfter, "notAfter");
    Pkix.require("making a node certificate");
    KeyPair keys = newKeyPair();
    try {
      return new Issued(CertificateIssuer.node(ca.certificate(), ca.key(), nodeId, keys.getPublic(), notBefore,
          notAfter), keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a node certificate: " + e.getMessage(), e);
    }
  }

  /** The node id a certificate names (its {@value #NODE_URI_PREFIX} URI), if it names one. */
  public static Optional<String> nodeId(X509Certificate certificate) {
    return CertificateNames.nodeId(Checks.notNull(certificate, "certificate"));
  }

  /**
   * PEM text of a certificate or a private key (PKCS#8 "PRIVATE KEY").
   *
   * @throws IllegalStateException if BouncyCastle's PKIX jar is not on the class path
   */
  public static String pem(Object certificateOrKey) {
    Checks.notNull(certificateOrKey, "certificateOrKey");
    Pkix.require("writing PEM");
    return CertificateIssuer.pem(certificateOrKey);
  }

  /**
   * Writes {@code issued}'s certificate to {@code certificate} and its key to {@code key} (owner-only where the file
   * system allows).
   *
   * @throws IOException if a file cannot be written
   * @throws IllegalStateException if BouncyCastle's PKIX jar is not on the class path
   */
  public static void write(Issued issued, Path certificate, Path key) throws IOException {
    Checks.notNull(issued, "issued");
    Files.writeString(certificate, pem(issued.certificate()));
    writeSecret(key, pem(issued.key()));
  }

  /**
   * Writes secret text to a file only its owner may read, where the file system knows permissions.
   *
   * @throws IOException if the file cannot be written
   */
  public static void writeSecret(Path file, String text) throws IOException {
    CertificateNames.writeSecret(Checks.notNull(file, "file"), Checks.notNull(text, "text"));
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException("cannot make an EC P-256 key: " + e.getMessage(), e);
    }
  }
}
