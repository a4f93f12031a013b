package org.syncmesh.net;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of one node's failed connection attempts and handshakes, by reason, since start: for
 * metrics. The reasons are fixed (the maps' keys); an unknown reason counts as {@code other}.
 * Thread-safe: the maps are built once, each count is a LongAdder.
 */
public final class Failures {

  /** Reasons a dial fails: refused (nothing listens), timeout, unreachable (no route, unknown host), other. */
  public static final List<String> CONNECT = List.of("refused", "timeout", "unreachable", "other");
  /**
   * Reasons a link is dropped before or at its handshake: TLS, a malformed handshake, another protocol, a
   * peer with this node's id, a denied peer, a secure network's non-member, other.
   */
  public static final List<String> HANDSHAKE = List.of("tls", "malformed", "protocol", "id_conflict", "denied",
      "not_member", "other");

  private final Map<String, LongAdder> connect = counters(CONNECT);
  private final Map<String, LongAdder> handshake = counters(HANDSHAKE);

  private static Map<String, LongAdder> counters(List<String> reasons) {
    Map<String, LongAdder> m = new LinkedHashMap<>();
    for (String r : reasons) {
      m.put(r, new LongAdder());
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Counts a failed dial, its reason read from {@code cause}. */
  void connectFailed(Throwable cause) {
    String reason;
    if (cause instanceof io.netty.channel.ConnectTimeoutException || cause instanceof java.net.SocketTimeoutException) {
      reason = "timeout";
    } else if (cause instanceof java.net.NoRouteToHostException || cause instanceof java.net.UnknownHostException
        || cause instanceof java.nio.channels.UnresolvedAddressException) {
      reason = "unreachable";
    } else if (cause instanceof java.net.ConnectException) {
      reason = "refused";
    } else {
      reason = "other";
    }
    connect.get(reason).increment();
  }

  /** Counts a handshake failure; {@code reason} one of {@link #HANDSHAKE}, else counted as other. */
  public void handshakeFailed(String reason) {
    handshake.getOrDefault(reason, handshake.get("other")).increment();
  }

  /** Failed dials with {@code reason} (one of {@link #CONNECT}) since start. */
  public long connectFailures(String reason) {
    LongAdder a = connect.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** Handshake failures with {@code reason} (one of {@link #HANDSHAKE}) since start. */
  public long handshakeFailures(String reason) {
    LongAdder a = handshake.get(reason);
    return a == null ? 0 : a.sum();
  }
}
