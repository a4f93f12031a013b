package org.syncmesh.net;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.Checks;

/**
 * Limits and timeouts of a {@link Network}, fixed at construction.
 *
 * @param maxFrameBytes largest frame payload accepted or decompressed (the length header is
 *     checked before any allocation)
 * @param stalledFrameTimeout a connection that stops mid-frame for this long is dropped
 *     (docs/protocol-0.7.md §7.8: py2p uses 60 s)
 * @param writeBufferLowBytes link becomes writable again below this many queued bytes
 * @param writeBufferHighBytes link becomes unwritable above this many queued bytes
 * @param maxPendingBytes a link with more queued bytes than this is dropped as too slow
 * @param unwritableTimeout a link that stays unwritable this long is dropped as stalled
 * @param connectTimeout how long an outgoing TCP connect may take
 * @param tlsHandshakeTimeout how long the TLS handshake of a new connection may take before it
 *     is dropped (TLS only; the mesh handshake that follows has its own timer)
 * @param serverSsl TLS context for accepted connections, {@code null} for plaintext
 * @param clientSsl TLS context for outgoing connections, {@code null} for plaintext
 * @param secure the contexts of a secure network, reloaded when their files change; when set it
 *     replaces {@code serverSsl} and {@code clientSsl}, which must then be null
 */
public record NetConfig(
    int maxFrameBytes,
    Duration stalledFrameTimeout,
    int writeBufferLowBytes,
    int writeBufferHighBytes,
    long maxPendingBytes,
    Duration unwritableTimeout,
    Duration connectTimeout,
    Duration tlsHandshakeTimeout,
    @Nullable SslContext serverSsl,
    @Nullable SslContext clientSsl,
    @Nullable SecureTls secure) {

  /** A configuration without a secure network: plaintext, or TLS with fixed contexts. */
  public NetConfig(int maxFrameBytes, Duration stalledFrameTimeout, int writeBufferLowBytes, int writeBufferHighBytes,
      long maxPendingBytes, Duration unwritableTimeout, Duration connectTimeout, Duration tlsHandshakeTimeout,
      @Nullable SslContext serverSsl, @Nullable SslContext clientSsl) {
    this(maxFrameBytes, stalledFrameTimeout, writeBufferLowBytes, writeBufferHighBytes, maxPendingBytes,
        unwritableTimeout, connectTimeout, tlsHandshakeTimeout, serverSsl, clientSsl, null);
  }

  public NetConfig {
    Checks.positive(maxFrameBytes, "maxFrameBytes");
    Checks.positive(stalledFrameTimeout, "stalledFrameTimeout");
    Checks.positive(writeBufferLowBytes, "writeBufferLowBytes");
    if (writeBufferHighBytes < writeBufferLowBytes) {
      throw new IllegalArgumentException(
          "writeBufferHighBytes : " + writeBufferHighBytes + " (expected: >= writeBufferLowBytes " + writeBufferLowBytes + ")");
    }
    if (maxPendingBytes < writeBufferHighBytes) {
      throw new IllegalArgumentException(
          "maxPendingBytes : " + maxPendingBytes + " (expected: >= writeBufferHighBytes " + writeBufferHighBytes + ")");
    }
    Checks.positive(unwritableTimeout, "unwritableTimeout");
    Checks.positive(connectTimeout, "connectTimeout");
    Checks.positive(tlsHandshakeTimeout, "tlsHandshakeTimeout");
    if ((serverSsl == null) != (clientSsl == null)) {
      throw new IllegalArgumentException("serverSsl and clientSsl must both be set or both be null");
    }
    if (secure != null && serverSsl != null) {
      throw new IllegalArgumentException("a secure network's contexts replace serverSsl and clientSsl: pass null for them");
    }
  }

  /** True when links run over TLS. */
  public boolean tls() {
    return serverSsl != null || secure != null;
  }
}
