package org.syncmesh.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TLS for the {@code SSL} transport as js2p and py2p do it (docs/protocol-0.7.md §1.1): each listener gets a
 * fresh self-signed certificate, and clients verify nothing. That protects against passive
 * eavesdropping only; a known limit of protocol 0.7, not of this class.
 */
public final class Tls {

  /** A server and a client context that belong together. */
  public record Contexts(SslContext server, SslContext client) {}

  private Tls() {}

  /**
   * Makes an RSA-2048 key and a self-signed certificate valid for ten years (py2p's choice), and
   * contexts that use it and trust any peer.
   *
   * @throws IllegalStateException if the JVM cannot make keys or contexts
   */
  public static Contexts selfSigned() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      X500Name name = new X500Name("CN=syncmesh");
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          name, new BigInteger(64, new SecureRandom()),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))),
          name, keys.getPublic());
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate());
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      SslContext server = SslContextBuilder.forServer(keys.getPrivate(), certificate).build();
      SslContext client = SslContextBuilder.forClient()
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .build();
      return new Contexts(server, client);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build TLS contexts: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
    }
  }
}
