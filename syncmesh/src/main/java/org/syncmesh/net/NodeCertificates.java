package org.syncmesh.net;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.syncmesh.wire.Checks;

/**
 * Certificates of a secure network (docs/security.md): a network's certificate authority, and
 * node certificates that bind a TLS key to a node id (a URI {@value #NODE_URI_PREFIX}{@code <id>}
 * among the subject alternative names, and the id as common name, cut to the 64 characters
 * RFC 5280 allows: a 66-character id is named by its URI only). Keys are ECDSA P-256, which
 * every TLS 1.3 stack and openssl speak. Made for development and tests by {@code syncmesh certs};
 * production CAs make the same with openssl (the docs show how).
 *
 * <p>Stateless; thread-safe.
 */
public final class NodeCertificates {

  /** The scheme and prefix of the subject alternative name URI that names a node. */
  public static final String NODE_URI_PREFIX = "syncmesh:node:";

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {}

  private NodeCertificates() {}

  /** A self-signed certificate authority named {@code name}, valid from now for {@code validity}. */
  public static Issued authority(String name, Duration validity) {
    Checks.notEmpty(name, "name");
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Issued(sign(b, keys.getPrivate()), keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a certificate authority: " + e.getMessage(), e);
    }
  }

  /** A certificate for node {@code nodeId}, signed by {@code ca}, valid from now for {@code validity}. */
  public static Issued node(Issued ca, String nodeId, Duration validity) {
    Instant now = Instant.now();
    return node(ca, nodeId, now.minus(Duration.ofMinutes(5)), now.plus(validity));
  }

  /** A certificate for node {@code nodeId}, signed by {@code ca}, valid in [notBefore, notAfter]. */
  public static Issued node(Issued ca, String nodeId, Instant notBefore, Instant notAfter) {
    Checks.notEmpty(nodeId, "nodeId");
    KeyPair keys = newKeyPair();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(), Date.from(notBefore),
          Date.from(notAfter), new X500Name("CN=" + commonName(nodeId)), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, NODE_URI_PREFIX + nodeId)))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
      return new Issued(sign(b, ca.key()), keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a node certificate: " + e.getMessage(), e);
    }
  }

  /** RFC 5280's upper bound on a common name (ub-common-name); base58 ids run to 66 characters. */
  private static String commonName(String nodeId) {
    return nodeId.length() <= 64 ? nodeId : nodeId.substring(0, 64);
  }

  /** The node id a certificate names (its {@value #NODE_URI_PREFIX} URI), if it names one. */
  public static Optional<String> nodeId(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return Optional.empty();
      }
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(GeneralName.uniformResourceIdentifier).equals(name.get(0))
            && name.get(1) instanceof String uri && uri.startsWith(NODE_URI_PREFIX)
            && uri.length() > NODE_URI_PREFIX.length()) {
          return Optional.of(uri.substring(NODE_URI_PREFIX.length()));
        }
      }
      return Optional.empty();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
  }

  /** PEM text of a certificate or a private key (PKCS#8 "PRIVATE KEY"). */
  public static String pem(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(certificateOrKey instanceof PrivateKey k
          ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null).generate() : certificateOrKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes {@code issued}'s certificate to {@code certificate} and its key to {@code key} (owner-only where the file system allows). */
  public static void write(Issued issued, Path certificate, Path key) throws IOException {
    Files.writeString(certificate, pem(issued.certificate()));
    writeSecret(key, pem(issued.key()));
  }

  /** Writes secret text to a file only its owner may read, where the file system knows permissions. */
  public static void writeSecret(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text);
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

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws Exception {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }
}
