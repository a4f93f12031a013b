package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.syncmesh.NodeIdentity;
import org.syncmesh.mesh.NodeCertificates.Issued;

/** SecureTls's reload rules, on a clock the test moves. */
final class SecureTlsTest {

  @TempDir Path dir;
  private final AtomicLong nanos = new AtomicLong();

  private static void bump(Path file, int seconds) throws Exception {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(seconds)));
  }

  @Test
  void reloadsAChangedCertificateAtTheNextCheckAndKeepsTheOldOneWhenTheNewCannotLoad() throws Exception {
    NodeTlsFiles files = NodeTlsFiles.in(dir);
    String id = NodeIdentity.generate().id();
    Path cert = files.cert();
    files.issue(id);
    SecureTls tls = new SecureTls(cert, files.key(), files.cas(), id, nanos::get);
    SslContext server = tls.server();

    Issued second = files.issue(id);
    bump(cert, 10);
    assertThat(tls.server()).as("not checked again within 500 ms").isSameAs(server);
    nanos.addAndGet(Duration.ofMillis(SecureTls.CHECK_INTERVAL_MILLIS).toNanos());
    SslContext renewed = tls.server();
    assertThat(renewed).isNotSameAs(server);
    assertThat(tls.certificate()).isEqualTo(second.certificate());

    Files.writeString(cert, "not a certificate");
    bump(cert, 20);
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(tls.server()).as("a broken file keeps the previous contexts").isSameAs(renewed);
    assertThat(tls.certificate()).isEqualTo(second.certificate());

    files.issue(NodeIdentity.generate().id());
    bump(cert, 30);
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(tls.server()).as("another node's certificate is not used").isSameAs(renewed);
  }

  @Test
  void refusesAtStartACertificateThatNamesAnotherNode() throws Exception {
    NodeTlsFiles files = NodeTlsFiles.in(dir);
    String other = NodeIdentity.generate().id();
    files.issue(other);

    assertThatThrownBy(() -> new SecureTls(files.cert(), files.key(), files.cas(), NodeIdentity.generate().id()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names node " + other);
  }
}
