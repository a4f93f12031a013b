package org.syncmesh.mesh;

/**
 * Which addresses this node may hand to which peer (issue 10). Whoever receives an address in a
 * peers list (docs/protocol-0.7.md §7.3), an answer to {@code "*"} (§7.7, §9.2) or a route answer (§9.1)
 * dials it, and the two ends of that new link must accept each other's handshake. The msgpack
 * type of the protocol id decides that (§2.3, §2.4):
 *
 * <ul>
 *   <li>js2p sends it as str and takes str or bin;
 *   <li>py2p takes only the type it sends itself: str for 0.7.870 (base58 0.2), bin for 0.7.878
 *       (base58 1.x); either build silently drops a link whose handshake has the other type;
 *   <li>a syncmesh node takes both: it mirrors the dialler's type when it accepts, and when it
 *       dials a bin-only peer it reconnects with bin (§7.2), so it can dial and be dialled by anyone.
 * </ul>
 *
 * <p>So, with D the peer that receives the entry (the dialler) and L the listed peer:
 *
 * <pre>
 *   D \ L          js2p   py2p 0.7.870   py2p 0.7.878   syncmesh
 *   js2p            yes       yes             no           yes
 *   py2p 0.7.870    yes       yes             no           yes
 *   py2p 0.7.878    no        no              yes          yes
 *   syncmesh        yes       yes             yes          yes
 * </pre>
 *
 * <p>Handing out a "no" entry is harmful, not merely useless: py2p keeps the refused link in its
 * routing table under the listed id after shutting its socket, and from then on every pass of its
 * loop fails on it (a flood of {@code BrokenPipeError}s in its status) and asks its peers for
 * theirs again. The rule is written from the dialler's side; for today's dialects it happens to be
 * symmetric, since the handshakes cross and both ends check.
 *
 * <p>What the node knows of a peer is its {@link Dialect} and the type of its protocol id. A
 * text-id peer that sent a bin protocol id is one of ours (js2p never does), so it counts as
 * syncmesh; a syncmesh node taken for js2p (one whose handshake lacked the extension marker of
 * docs/extension-v1.md) is judged as js2p, which only withholds entries it could in fact have
 * used. A requester the node has no link to is judged by the type of its sender id alone: str is
 * js2p or syncmesh, so it gets what js2p can dial; bin is py2p of either build, so it gets only
 * what both builds can dial.
 *
 * <p>Pure functions; no state.
 */
final class PeerExchangeRule {

  private PeerExchangeRule() {}

  /** How a peer handles the protocol-id type of a handshake (§2.3). */
  private enum Handshake {
    /** Sends str, takes str or bin: js2p. */
    SENDS_STR_TAKES_BOTH,
    /** Sends and takes str only: py2p 0.7.870. */
    STR_ONLY,
    /** Sends and takes bin only: py2p 0.7.878. */
    BIN_ONLY,
    /** Takes both and adapts what it sends: syncmesh. */
    ADAPTS;

    boolean sendsBin() {
      return this == BIN_ONLY;
    }

    boolean takes(boolean bin) {
      return switch (this) {
        case SENDS_STR_TAKES_BOTH, ADAPTS -> true;
        case STR_ONLY -> !bin;
        case BIN_ONLY -> bin;
      };
    }
  }

  private static Handshake handshake(Dialect dialect, boolean protocolIdIsBin) {
    return switch (dialect) {
      case SYNCMESH -> Handshake.ADAPTS;
      // js2p never sends a bin protocol id: a text-id peer that does is one of ours.
      case JS2P -> protocolIdIsBin ? Handshake.ADAPTS : Handshake.SENDS_STR_TAKES_BOTH;
      // py2p takes exactly the type it sends; judge by what it sent, not by the build's name.
      case PY2P_0_7_870, PY2P_0_7_878 -> protocolIdIsBin ? Handshake.BIN_ONLY : Handshake.STR_ONLY;
    };
  }

  /**
   * Whether a peer of {@code dialler}'s kind that dials a peer of {@code listed}'s kind completes
   * the handshake, each given by its dialect and the msgpack type of the protocol id it sent us.
   */
  static boolean canDial(Dialect dialler, boolean diallerProtocolIdIsBin, Dialect listed,
      boolean listedProtocolIdIsBin) {
    Handshake d = handshake(dialler, diallerProtocolIdIsBin);
    Handshake l = handshake(listed, listedProtocolIdIsBin);
    if (d == Handshake.ADAPTS || l == Handshake.ADAPTS) {
      return true;
    }
    return l.takes(d.sendsBin()) && d.takes(l.sendsBin());
  }

  /** Whether {@code listed} may appear in a peers list or a route answer sent to {@code to}. */
  static boolean mayAdvertise(Peer listed, Peer to) {
    return canDial(to.dialect, to.protocolIdIsBin, listed.dialect, listed.protocolIdIsBin);
  }

  /**
   * Whether a route to {@code listed} may answer a requester the node has no link to, known only
   * by the msgpack type of its sender id.
   */
  static boolean mayAdvertiseToUnlinked(Peer listed, boolean requesterIdIsBin) {
    return unlinkedCanDial(requesterIdIsBin, listed.dialect, listed.protocolIdIsBin);
  }

  /**
   * Whether a requester known only by the type of its sender id can dial a peer of
   * {@code listed}'s kind: a str id (js2p or syncmesh) is judged as js2p; a bin id (py2p, build
   * unknown) must be able to dial it whichever build it is.
   */
  static boolean unlinkedCanDial(boolean requesterIdIsBin, Dialect listed, boolean listedProtocolIdIsBin) {
    if (!requesterIdIsBin) {
      return canDial(Dialect.JS2P, false, listed, listedProtocolIdIsBin);
    }
    return canDial(Dialect.PY2P_0_7_870, false, listed, listedProtocolIdIsBin)
        && canDial(Dialect.PY2P_0_7_878, true, listed, listedProtocolIdIsBin);
  }
}
