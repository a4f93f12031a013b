package org.syncmesh.net;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
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
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes certificates with BouncyCastle's PKIX jar, an optional dependency: callers check {@link Pkix#require} first
 * (this class does not load without the jar).
 *
 * <p>Stateless and thread-safe.
 */
public final class CertificateIssuer {
  private CertificateIssuer() {}

  /** A self-signed CA certificate for {@code keys} named {@code CN=name}, valid in [notBefore, notAfter]. */
  public static X509Certificate authority(String name, KeyPair keys, Instant notBefore, Instant notAfter)
      throws Exception {
    X500Name subject = new X500Name("CN=" + name);
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore),
        Date.from(notAfter), subject, keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
        .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    return sign(b, keys.getPrivate(), "SHA256withECDSA");
  }

  /**
   * A certificate for node {@code nodeId} and {@code nodeKey}, signed by the CA, valid in [notBefore, notAfter]: the
   * id as a {@value CertificateNames#NODE_URI_PREFIX} URI and as common name (cut to RFC 5280's 64 characters).
   */
  public static X509Certificate node(X509Certificate caCertificate, PrivateKey caKey, String nodeId, PublicKey nodeKey,
      Instant notBefore, Instant notAfter) throws Exception {
    String commonName = nodeId.length() <= 64 ? nodeId : nodeId.substring(0, 64);
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial(), Date.from(notBefore),
        Date.from(notAfter), new X500Name("CN=" + commonName), nodeKey)
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
            new GeneralName(GeneralName.uniformResourceIdentifier, CertificateNames.NODE_URI_PREFIX + nodeId)))
        .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
    return sign(b, caKey, "SHA256withECDSA");
  }

  /** A self-signed RSA certificate named {@code CN=syncmesh} for the SSL transport, valid in [notBefore, notAfter]. */
  public static X509Certificate selfSigned(KeyPair rsaKeys, Instant notBefore, Instant notAfter) throws Exception {
    X500Name name = new X500Name("CN=syncmesh");
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
        Date.from(notBefore), Date.from(notAfter), name, rsaKeys.getPublic());
    return sign(builder, rsaKeys.getPrivate(), "SHA256withRSA");
  }

  /** PEM text of a certificate or a private key (PKCS#8 "PRIVATE KEY"). */
  public static String pem(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(certificateOrKey instanceof PrivateKey k ? new JcaPKCS8Generator(k, null).generate()
          : certificateOrKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, String algorithm)
      throws Exception {
    ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }
}
