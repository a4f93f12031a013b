package org.syncmesh.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.syncmesh.wire.Checks;

/**
 * The TLS contexts of a secure network (docs/security.md): TLS 1.3 only, mutual authentication
 * (the server side requires a client certificate), both sides presenting this node's certificate
 * and key and trusting every CA in the CA file. Peers are identified by the node id their
 * certificate names, so no host name is verified. Expired and not-yet-valid certificates fail
 * the PKIX checks of the JDK's trust manager.
 *
 * <p>Provider: BoringSSL when netty-tcnative-boringssl-static is on the class path and loads (Netty's
 * {@code -Dio.netty.handler.ssl.noOpenSsl=true} turns it off), else the JDK's. Both enforce the
 * same rules; BoringSSL seals records in native code, where the JDK's AES-GCM needs its JIT-compiled
 * intrinsics, which a busy node on few cores gets only after seconds (docs/security.md).
 *
 * <p>Reload: the three files are stat'ed (modification time and size) at most once per
 * {@value #CHECK_INTERVAL_MILLIS} ms, when a link asks for a context; if one changed the contexts
 * are rebuilt, so a replaced certificate or key serves the next link without a restart. A file
 * that fails to load, or a certificate that names another node id than this node's, is logged
 * and the previous contexts stay.
 *
 * <p>Thread-safe: links of any event loop may ask for contexts at once.
 */
public final class SecureTls {

  private static final Logger log = LoggerFactory.getLogger(SecureTls.class);
  /** Files are stat'ed at most this often. */
  public static final long CHECK_INTERVAL_MILLIS = 500;

  /** The current contexts and the certificate they present. */
  private record Loaded(SslContext server, SslContext client, X509Certificate certificate, List<Stamp> stamps) {}

  /** What a file's stat said: a change in either means the file changed. */
  private record Stamp(long modifiedMillis, long size) {}

  private final Path certificate;
  private final Path key;
  private final Path cas;
  private final String nodeId;
  private final LongSupplier nanoClock;
  private volatile Loaded loaded;
  private volatile long lastCheckNanos;

  /**
   * Loads the files now.
   *
   * @param nodeId the id this node runs with: its certificate must name it
   * @throws IllegalArgumentException if a file cannot be read or its contents cannot make a
   *     context, or the certificate names no node id or another one
   */
  public SecureTls(Path certificate, Path key, Path cas, String nodeId) {
    this(certificate, key, cas, nodeId, System::nanoTime);
  }

  SecureTls(Path certificate, Path key, Path cas, String nodeId, LongSupplier nanoClock) {
    this.certificate = Checks.notNull(certificate, "certificate");
    this.key = Checks.notNull(key, "key");
    this.cas = Checks.notNull(cas, "cas");
    this.nodeId = Checks.notEmpty(nodeId, "nodeId");
    this.nanoClock = nanoClock;
    try {
      this.loaded = load();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot set up the secure network's TLS from " + certificate + ", " + key
          + " and " + cas + ": " + e.getMessage(), e);
    }
    this.lastCheckNanos = nanoClock.getAsLong();
    log.info("secure network: TLS 1.3 by {}", providerName());
  }

  /** Who seals this node's TLS records: "BoringSSL (netty-tcnative)" or "the JDK". */
  public static String providerName() {
    return provider() == SslProvider.OPENSSL ? "BoringSSL (netty-tcnative)" : "the JDK";
  }

  private static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /** The context for accepted links, reloaded first if a file changed. */
  public SslContext server() {
    return current().server();
  }

  /** The context for links this node opens, reloaded first if a file changed. */
  public SslContext client() {
    return current().client();
  }

  /** The certificate this node presents now (the one the last load read). */
  public X509Certificate certificate() {
    return loaded.certificate();
  }

  private Loaded current() {
    long now = nanoClock.getAsLong();
    if (now - lastCheckNanos >= CHECK_INTERVAL_MILLIS * 1_000_000L) {
      synchronized (this) {
        if (now - lastCheckNanos >= CHECK_INTERVAL_MILLIS * 1_000_000L) {
          lastCheckNanos = now;
          reloadIfChanged();
        }
      }
    }
    return loaded;
  }

  private void reloadIfChanged() {
    List<Stamp> stamps;
    try {
      stamps = stamps();
    } catch (IOException e) {
      log.warn("secure network: cannot check the TLS files ({}); keeping the current certificate", e.toString());
      return;
    }
    if (stamps.equals(loaded.stamps())) {
      return;
    }
    try {
      Loaded fresh = load();
      loaded = fresh;
      log.info("secure network: TLS files changed, new links present certificate {} (serial {}, valid until {})",
          fresh.certificate().getSubjectX500Principal(), fresh.certificate().getSerialNumber().toString(16),
          fresh.certificate().getNotAfter().toInstant());
    } catch (IOException | RuntimeException e) {
      log.warn("secure network: the changed TLS files cannot be used ({}); keeping the previous certificate", e
          .getMessage());
      // Remember the stamps: one warning per change, not one per link.
      Loaded old = loaded;
      loaded = new Loaded(old.server(), old.client(), old.certificate(), stamps);
    }
  }

  private List<Stamp> stamps() throws IOException {
    return List.of(stamp(certificate), stamp(key), stamp(cas));
  }

  private static Stamp stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(a.lastModifiedTime().toMillis(), a.size());
  }

  private Loaded load() throws IOException {
    List<Stamp> stamps = stamps(); // before reading: a change while reading is seen next time
    X509Certificate own = firstCertificate(certificate);
    Optional<String> named = CertificateNames.nodeId(own);
    if (named.isEmpty()) {
      throw new IllegalArgumentException("the certificate " + certificate + " names no node id (no "
          + CertificateNames.NODE_URI_PREFIX + " URI): it is not a syncmesh node certificate");
    }
    if (!named.get().equals(nodeId)) {
      throw new IllegalArgumentException("the certificate " + certificate + " names node " + named.get()
          + " but this node's id is " + nodeId + ": use the certificate issued for this node's identity");
    }
    try {
      SslContext server = SslContextBuilder.forServer(certificate.toFile(), key.toFile())
          .sslProvider(provider())
          .trustManager(cas.toFile())
          .clientAuth(ClientAuth.REQUIRE)
          .protocols("TLSv1.3")
          .build();
      SslContext client = SslContextBuilder.forClient()
          .sslProvider(provider())
          .keyManager(certificate.toFile(), key.toFile())
          .trustManager(cas.toFile())
          .endpointIdentificationAlgorithm(null) // peers are identified by node id, not host name
          .protocols("TLSv1.3")
          .build();
      return new Loaded(server, client, own, stamps);
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static X509Certificate firstCertificate(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("no certificate in " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "SecureTls{" + certificate + ", trusting " + cas + "}";
  }
}
