package org.syncmesh.cli;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Why a {@code connect HOST PORT} failed, as one line for a person: the kind first (refused,
 * unreachable, timeout, TLS refused, handshake refused), then what to check, then the socket's
 * own words. Reads the failure of {@code MeshSocket.connect} and its causes. Stateless;
 * thread-safe.
 */
final class ConnectFailures {

  private static final String ID_CONFLICT = "another node uses this node's id";

  private ConnectFailures() {}

  /** One line saying why connecting to {@code host:port} failed. */
  static String explain(Throwable failure, String host, int port) {
    String detail = String.valueOf(failure.getMessage());
    String all = messages(failure);
    String lower = all.toLowerCase(Locale.ROOT);
    String kind;
    if (lower.contains("tls handshake failed")) {
      kind = "TLS refused: " + tlsReason(all);
    } else if (has(failure, io.netty.channel.ConnectTimeoutException.class) || has(failure, SocketTimeoutException.class)
        || lower.contains("timed out")) {
      kind = lower.contains("handshake timed out")
          ? "handshake refused: the peer did not complete the handshake in time (not a syncmesh/p2p node, or "
              + "overloaded)"
          : "timeout: no answer from " + host + ":" + port + " (a host that is down, or a firewall dropping the "
              + "packets)";
    } else if (has(failure, UnknownHostException.class)) {
      kind = "unreachable: unknown host " + host + " (check the name, or use an address)";
    } else if (has(failure, NoRouteToHostException.class) || lower.contains("unreachable")) {
      kind = "unreachable: no route to " + host + " (check the address and the network between the hosts)";
    } else if (lower.contains("during the tls handshake")) {
      kind = "TLS refused: the peer closed the connection during the TLS handshake (a plaintext node, or a secure "
          + "one that does not trust this node's certificate)";
    } else if (lower.contains(ID_CONFLICT)) {
      kind = "handshake refused: the peer uses this node's id (a copied data directory?)";
    } else if (lower.contains("connected to self")) {
      kind = "handshake refused: " + host + ":" + port + " is this node itself";
    } else if (lower.contains("protocol mismatch")) {
      kind = "handshake refused: protocol mismatch (the peer runs another subnet or transport: compare --subnet, "
          + "--transport and --mesh)";
    } else if (lower.contains("deny list") || lower.contains("not a member") || lower.contains("certificate")) {
      kind = "handshake refused: this node refused the peer (deny list, or a certificate naming another node)";
    } else if (lower.contains("closed before its handshake")) {
      kind = "handshake refused: the peer closed the connection during the handshake (another protocol, or it "
          + "refuses this node: its deny list or its CA)";
    } else if (has(failure, ConnectException.class) && lower.contains("refused")) {
      kind = "refused: nothing listens on " + host + ":" + port + " (is the node running, the port right, the "
          + "address --out-addr it advertises?)";
    } else if (lower.contains("socket is closed") || lower.contains("socket closed")) {
      kind = "the node is closing";
    } else {
      kind = "error";
    }
    return kind + " [" + Abbrev.quote(detail, 2 * Abbrev.MAX_CHARS) + "]";
  }

  private static String tlsReason(String all) {
    int at = all.indexOf("TLS handshake failed");
    String from = all.substring(at);
    int colon = from.indexOf(": ");
    return colon < 0 ? "the TLS handshake failed" : from.substring(colon + 2).split(" \\| ")[0];
  }

  private static boolean has(Throwable failure, Class<? extends Throwable> type) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String messages(Throwable failure) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 8; t = t.getCause(), depth++) {
      out.append(t.getMessage()).append(" | ");
    }
    return out.toString();
  }
}
