package org.syncmesh.net;

import io.netty.handler.ssl.NotSslRecordException;
import java.util.Locale;

/**
 * Plain words for why a TLS handshake failed: the messages of the usual refusals (no
 * certificate, another CA, an expired certificate, a plaintext peer), as the JDK's provider
 * (JSSE) or BoringSSL (netty-tcnative) words them, turned into one sentence a person running a
 * node understands. Stateless; thread-safe.
 */
final class TlsFailures {

  private TlsFailures() {}

  /** One sentence saying why, for the exception a handshake failed with (its causes included). */
  static String explain(Throwable failure) {
    if (failure instanceof NotSslRecordException || failure.getCause() instanceof NotSslRecordException) {
      return "the peer does not speak TLS (a plaintext node?)";
    }
    String text = allMessages(failure).toLowerCase(Locale.ROOT);
    // Alerts received: the far end refused this node (or gave up on it). JSSE says "Received fatal
    // alert: certificate_expired", BoringSSL "SSLV3_ALERT_CERTIFICATE_EXPIRED"; the names match.
    if (text.contains("received fatal alert") || text.contains("sslv3_alert_") || text.contains("tlsv1_alert_")) {
      if (text.contains("certificate_required")) {
        // Both providers present only a certificate from a CA the server names as trusted.
        return "the peer refused this node's certificate: it requires one from a CA it trusts, and this node "
            + "has none or only one from another CA";
      }
      if (text.contains("unknown_ca")) {
        return "the peer refused this node's certificate: not issued by a CA it trusts";
      }
      if (text.contains("certificate_unknown")) {
        // JSSE sends this one for an untrusted CA and for an expired certificate alike.
        return "the peer refused this node's certificate (certificate_unknown): not issued by a CA it trusts, "
            + "or expired or not yet valid";
      }
      if (text.contains("certificate_expired")) {
        return "the peer refused this node's certificate: expired or not yet valid";
      }
      if (text.contains("bad_certificate") || text.contains("unsupported_certificate")) {
        return "the peer refused this node's certificate (bad_certificate): none, one from a CA the peer does not "
            + "trust, or an invalid one";
      }
      if (text.contains("protocol_version") || text.contains("handshake_failure")) {
        return "the peer could not agree on TLS with this node (a members-only link needs TLS 1.3 with certificates)";
      }
    }
    // Failures found here: the peer's certificate, or its absence.
    if (text.contains("empty client certificate chain") || text.contains("empty server certificate chain")
        || text.contains("certificate_required") || text.contains("peer not authenticated")
        || text.contains("peer_did_not_return_a_certificate")) {
      // A JSSE client presents only a certificate from a CA the server names as trusted: one
      // from another CA looks the same as none.
      return "the peer presented no certificate from a CA this node trusts (none, or one from another CA): "
          + "members only";
    }
    if (text.contains("validity check failed") || text.contains("certificateexpired")
        || text.contains("certificatenotyetvalid") || text.contains("certificate expired")
        || text.contains("not yet valid") || text.contains("certificate_expired")) {
      return "the peer's certificate is expired or not yet valid";
    }
    if (text.contains("pkix path building failed") || text.contains("unknown_ca")
        || text.contains("unable to find valid certification path") || text.contains("no trust anchor")
        || text.contains("certificate_unknown")) {
      return "the peer's certificate is not issued by a CA this node trusts";
    }
    if (text.contains("bad_certificate") || text.contains("signature check failed")
        || text.contains("pkix path validation failed")) {
      return "the peer's certificate is invalid (bad_certificate)";
    }
    if (text.contains("no appropriate protocol") || text.contains("protocol_version")
        || text.contains("client requested protocol") || text.contains("unsupported protocol")) {
      return "the peer does not speak TLS 1.3";
    }
    return "TLS error";
  }

  private static String allMessages(Throwable failure) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
