package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.NodeIdentity;

/**
 * Which TLS provider a secure node uses, and the refusals of both providers in plain words. The
 * build runs this class twice: with BoringSSL on the class path, and with Netty told not to load
 * it (the pom's jdk-tls execution).
 */
final class TlsProviderTest {

  private static final boolean NETTY_TOLD_NO_OPENSSL = Boolean.getBoolean("io.netty.handler.ssl.noOpenSsl");

  @TempDir Path dir;

  @Test
  void aSecureNodeUsesBoringSslWhenItLoadsAndTheJdkWhenNettyIsToldNotTo() throws Exception {
    // netty-tcnative ships builds for Linux, macOS and Windows; CI and this project's machines run Linux
    // on x86-64, where it must load: elsewhere the JDK may rightly serve.
    assumeTrue(NETTY_TOLD_NO_OPENSSL || ("Linux".equals(System.getProperty("os.name"))
        && "amd64".equals(System.getProperty("os.arch"))), "BoringSSL is required to load on linux-x86_64 only");
    NodeTlsFiles files = NodeTlsFiles.in(dir);
    String id = NodeIdentity.generate().id();
    files.issue(id);

    SslContext server = new SecureTls(files.cert(), files.key(), files.cas(), id).server();

    String expected = NETTY_TOLD_NO_OPENSSL ? "the JDK" : "BoringSSL (netty-tcnative)";
    assertThat(SecureTls.providerName()).isEqualTo(expected);
    assertThat(server.getClass().getSimpleName()).startsWith(NETTY_TOLD_NO_OPENSSL ? "Jdk" : "OpenSsl");
  }

  @Test
  void aMissingClientCertificateIsExplainedTheSameByBothProviders() {
    String jdk = TlsFailures.explain(new SSLHandshakeException("Empty client certificate chain"));
    String boring = TlsFailures.explain(
        new SSLHandshakeException("error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE"));

    assertThat(jdk).isEqualTo(boring).startsWith("the peer presented no certificate from a CA this node trusts");
  }

  @Test
  void alertsReceivedAreTheFarEndsRefusalInEitherWording() {
    assertThat(TlsFailures.explain(new SSLException("Received fatal alert: certificate_expired")))
        .isEqualTo(TlsFailures.explain(
            new SSLException("error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED")))
        .isEqualTo("the peer refused this node's certificate: expired or not yet valid");
    assertThat(TlsFailures.explain(new SSLException("Received fatal alert: certificate_required")))
        .isEqualTo(TlsFailures.explain(
            new SSLException("error:1000045c:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED")))
        .startsWith("the peer refused this node's certificate: it requires one from a CA it trusts");
    assertThat(TlsFailures.explain(
        new SSLException("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA")))
        .isEqualTo("the peer refused this node's certificate: not issued by a CA it trusts");
  }

  @Test
  void aLocalCertificateCheckIsNotMistakenForAnAlert() {
    // With BoringSSL the trust manager's verdict (the JDK's PKIX checks) comes as the cause of a generic failure.
    SSLHandshakeException failure = new SSLHandshakeException("General OpenSslEngine problem");
    failure.initCause(new java.security.cert.CertificateExpiredException("NotAfter: Thu Dec 03 2026"));

    assertThat(TlsFailures.explain(failure)).isEqualTo("the peer's certificate is expired or not yet valid");
  }
}
