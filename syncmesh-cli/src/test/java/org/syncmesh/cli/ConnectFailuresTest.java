package org.syncmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/**
 * The words {@code connect} fails with, for failures a test on 127.0.0.1 cannot cause (timeouts,
 * unreachable hosts); refusals, protocol mismatches and TLS refusals are caused for real in
 * LineProtocolTest.
 */
final class ConnectFailuresTest {

  private static ConnectException failed(Throwable cause) {
    ConnectException e = new ConnectException("cannot connect to h:1: " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  @Test
  void aTcpTimeout_isATimeout() {
    assertThat(ConnectFailures.explain(failed(new io.netty.channel.ConnectTimeoutException(
        "connection timed out after 5000 ms: h/10.255.255.1:1")), "h", 1))
        .startsWith("timeout: no answer from h:1 (")
        .endsWith("[cannot connect to h:1: connection timed out after 5000 ms: h/10.255.255.1:1]");
  }

  @Test
  void noRouteOrUnknownHost_isUnreachable() {
    assertThat(ConnectFailures.explain(failed(new NoRouteToHostException("No route to host")), "h", 1))
        .startsWith("unreachable: no route to h");
    assertThat(ConnectFailures.explain(failed(new java.net.SocketException("Network is unreachable")), "h", 1))
        .startsWith("unreachable: no route to h");
    assertThat(ConnectFailures.explain(failed(new UnknownHostException("nosuch.invalid")), "nosuch.invalid", 1))
        .startsWith("unreachable: unknown host nosuch.invalid");
  }

  @Test
  void aClosedLinkBeforeTheHandshake_isAHandshakeRefusal_orTlsOrTimeout() {
    assertThat(ConnectFailures.explain(new ConnectException("connection closed before its handshake"), "h", 1))
        .startsWith("handshake refused: the peer closed the connection during the handshake");
    assertThat(ConnectFailures.explain(new ConnectException("connection closed before its handshake: handshake "
        + "timed out after 10000ms"), "h", 1)).startsWith("handshake refused: the peer did not complete the handshake");
    assertThat(ConnectFailures.explain(new ConnectException("connection closed before its handshake: TLS handshake "
        + "failed with /127.0.0.1:1: the peer refused this node's certificate: not issued by a CA it trusts (x)"),
        "h", 1)).startsWith("TLS refused: the peer refused this node's certificate: not issued by a CA it trusts");
    assertThat(ConnectFailures.explain(new ConnectException("connection closed before its handshake: TLS handshake "
        + "failed with /127.0.0.1:1: TLS error (SslHandshakeTimeoutException: handshake timed out after 10000ms)"),
        "h", 1)).startsWith("TLS refused: TLS error");
    assertThat(ConnectFailures.explain(new ConnectException("connection closed before its handshake: connected to "
        + "self"), "h", 1)).startsWith("handshake refused: h:1 is this node itself");
  }

  @Test
  void theDetail_isQuotedShort() {
    String explained = ConnectFailures.explain(new IllegalStateException("z".repeat(100_000)), "h", 1);
    assertThat(explained).startsWith("error [").hasSizeLessThan(500);
  }
}
