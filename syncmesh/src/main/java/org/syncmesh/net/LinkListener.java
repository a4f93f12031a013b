package org.syncmesh.net;

import org.jspecify.annotations.Nullable;
import org.syncmesh.wire.InternalMessage;

/**
 * What a {@link Network} tells its owner about its links. Called on the link's event loop: an
 * implementation must not block and should hand protocol work to its own executor.
 */
public interface LinkListener {

  /** The connection is up (after the TLS handshake, on TLS) and may send. */
  void linkOpened(Link link);

  /** A well-formed message arrived. */
  void messageReceived(Link link, InternalMessage message);

  /**
   * The connection is gone. {@code reason} is why this side closed it (a malformed frame, a
   * timeout, an explicit close), or {@code null} when the peer closed it.
   */
  void linkClosed(Link link, @Nullable String reason);
}
