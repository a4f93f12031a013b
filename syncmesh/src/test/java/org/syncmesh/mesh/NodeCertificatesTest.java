package org.syncmesh.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class NodeCertificatesTest {

  @Test
  void aNodeCertificate_namesItsNode_andIsSignedByItsAuthority() throws Exception {
    NodeCertificates.Issued ca = NodeCertificates.authority("test network", Duration.ofDays(1));
    NodeCertificates.Issued node = NodeCertificates.node(ca, "4YkHQ39Ln4abc", Duration.ofHours(1));
    node.certificate().verify(ca.certificate().getPublicKey());
    node.certificate().checkValidity();
    assertThat(NodeCertificates.nodeId(node.certificate())).contains("4YkHQ39Ln4abc");
    assertThat(NodeCertificates.nodeId(ca.certificate())).isEmpty();
    assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(node.certificate().getBasicConstraints()).isEqualTo(-1);

    String pem = NodeCertificates.pem(node.certificate());
    X509Certificate back = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    assertThat(back).isEqualTo(node.certificate());
    assertThat(NodeCertificates.pem(node.key())).startsWith("-----BEGIN PRIVATE KEY-----");
  }
}
