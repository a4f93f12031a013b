package org.syncmesh.mesh;

import java.util.Objects;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.ExtensionOffer;

/**
 * A handshaken peer as this node sees it.
 *
 * @param id the peer's node id (base58 text, whatever msgpack type it arrived as)
 * @param host the host the peer advertised in its handshake
 * @param port the port the peer advertised in its handshake
 * @param outgoing true when this node opened the connection
 * @param dialect which implementation the peer appears to be
 * @param extensionVersion the syncmesh extension version this link speaks (docs/extension-v1.md):
 *     the highest both ends offered, or 0 for plain 0.7 (always 0 for js2p and py2p)
 */
public record PeerInfo(String id, String host, int port, boolean outgoing, Dialect dialect, int extensionVersion) {
  /** Checks the fields. */
  public PeerInfo {
    Checks.notEmpty(id, "id");
    Checks.notNull(host, "host");
    Checks.notNull(dialect, "dialect");
    Checks.inRange(extensionVersion, 0, ExtensionOffer.MAX_VERSION, "extensionVersion");
  }

  // equals and hashCode are written out: see Version's
  @Override
  public boolean equals(Object o) {
    return o instanceof PeerInfo p && port == p.port && outgoing == p.outgoing
        && extensionVersion == p.extensionVersion && id.equals(p.id) && host.equals(p.host) && dialect == p.dialect;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, host, port, outgoing, dialect, extensionVersion);
  }

  /** How many characters of an id {@link #shortId(String)} keeps. */
  public static final int SHORT_ID_CHARS = 10;

  /** The first {@value #SHORT_ID_CHARS} characters of the id: how log lines name the peer. */
  public String shortId() {
    return shortId(id);
  }

  /** The first {@value #SHORT_ID_CHARS} characters of {@code id} (all of a shorter one). */
  public static String shortId(String id) {
    return id.length() <= SHORT_ID_CHARS ? id : id.substring(0, SHORT_ID_CHARS);
  }
}
