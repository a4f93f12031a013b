package org.syncmesh.mesh;

/**
 * Which implementation a peer appears to be, judged from its handshake: the syncmesh extension
 * marker in its compression list (docs/extension-v1.md), else the msgpack types of its ids
 * (docs/protocol-0.7.md §2.2, §2.3). It decides what this node may send that peer.
 *
 * <p>A peer with text ids and no marker is treated as {@link #JS2P}, the most restrictive, even
 * when it offers bz2 or lzma.
 */
public enum Dialect {
  /** js2p 0.7.870: text ids and protocol id; never sent renegotiate, resend or nil stores. */
  JS2P,
  /** py2p 0.7.870 (base58 0.2): binary ids, text protocol id. */
  PY2P_0_7_870,
  /** py2p 0.7.878 (base58 1.0): binary ids and binary protocol id. */
  PY2P_0_7_878,
  /**
   * Another syncmesh node: its handshake carried the extension marker, whether or not the two
   * share an extension version ({@link PeerInfo#extensionVersion()}).
   */
  SYNCMESH;

  /** True for both py2p builds. */
  public boolean isPy2p() {
    return this == PY2P_0_7_870 || this == PY2P_0_7_878;
  }
}
