package org.syncmesh.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLException;

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
   * @throws IllegalStateException if the JVM cannot make keys or contexts, or BouncyCastle's PKIX jar is missing
   */
  public static Contexts selfSigned() {
    Pkix.require("the SSL transport's self-signed certificate (the default of protocol(..., \"SSL\"))");
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      Instant now = Instant.now();
      X509Certificate certificate = CertificateIssuer.selfSigned(keys, now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(3650)));
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
