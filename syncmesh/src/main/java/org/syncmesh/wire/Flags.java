package org.syncmesh.wire;

/**
 * The flag numbers of protocol 0.7 (docs/protocol-0.7.md §4): main flags at body index 0, sub-flags at body index 3
 * (payload[0]). Both reference libraries reserve 0x00–0x2F ({@link #RESERVED_LIMIT} is the first free value).
 *
 * <p>These values are on the wire: <strong>append, never renumber</strong>. Sub-flags and compression ids share
 * numbers (0x11 is both delta and gzip) but live in different fields, so the overlap is harmless.
 */
public final class Flags {
  private Flags() {}

  // ---- main flags (body index 0); append, never renumber ----
  /** Flood: relayed to every peer (§8). */
  public static final int MAIN_BROADCAST = 0x00;
  /** Link maintenance, never delivered to the user (§9.3). */
  public static final int MAIN_RENEGOTIATE = 0x01;
  /** Point to point, not relayed. */
  public static final int MAIN_WHISPER = 0x02;
  /** Reserved, never sent by js2p or py2p. */
  public static final int MAIN_PING = 0x03;
  /** Reserved, never sent by js2p or py2p. */
  public static final int MAIN_PONG = 0x04;

  /** Short alias of {@link #MAIN_BROADCAST}. */
  public static final int BROADCAST = MAIN_BROADCAST;
  /** Short alias of {@link #MAIN_RENEGOTIATE}. */
  public static final int RENEGOTIATE = MAIN_RENEGOTIATE;
  /** Short alias of {@link #MAIN_WHISPER}. */
  public static final int WHISPER = MAIN_WHISPER;
  /** Short alias of {@link #MAIN_PING}. */
  public static final int PING = MAIN_PING;
  /** Short alias of {@link #MAIN_PONG}. */
  public static final int PONG = MAIN_PONG;

  // ---- sub-flags (payload[0], body index 3); append, never renumber ----
  /** User data sent as a broadcast. */
  public static final int SUB_BROADCAST = 0x00;
  /** Renegotiate: a new compression list. */
  public static final int SUB_COMPRESSION = 0x01;
  /** User data sent as a whisper, including replies. */
  public static final int SUB_WHISPER = 0x02;
  /** Reserved. */
  public static final int SUB_PING = 0x03;
  /** Reserved. */
  public static final int SUB_PONG = 0x04;
  /** Mesh handshake {@code [5, id, protocol_id, [host, port], [methods]]} (§5). */
  public static final int SUB_HANDSHAKE = 0x05;
  /** Unused by mesh and sync. */
  public static final int SUB_NOTIFY = 0x06;
  /** Mesh peers list. */
  public static final int SUB_PEERS = 0x07;
  /** Mesh request ({@code "*"} or a node id). */
  public static final int SUB_REQUEST = 0x08;
  /** Renegotiate: ask for a resend. */
  public static final int SUB_RESEND = 0x09;
  /** Mesh response to a request. */
  public static final int SUB_RESPONSE = 0x0A;
  /** Sync store (set, delete, initial dump). */
  public static final int SUB_STORE = 0x0B;
  /** Chord only. */
  public static final int SUB_RETRIEVE = 0x0C;
  /** Chord only. */
  public static final int SUB_RETRIEVED = 0x0D;
  /** Chord only. */
  public static final int SUB_FORWARD = 0x0E;
  /** Reserved. */
  public static final int SUB_NEW_PATHS = 0x0F;
  /** Reserved. */
  public static final int SUB_REVOKE_PATHS = 0x10;
  /** Sync delta (shallow map merge). */
  public static final int SUB_DELTA = 0x11;

  /**
   * syncmesh extension v1 (docs/extension-v1.md): a versioned store or delete, broadcast only over
   * links that negotiated the extension. In the range both libraries reserve and neither uses.
   */
  public static final int SUB_SM_WRITE = 0x20;
  /** syncmesh extension v1: a versioned delta, broadcast only over links that negotiated it. */
  public static final int SUB_SM_DELTA = 0x21;
  /** syncmesh extension v1: an anti-entropy message, whispered only over links that negotiated it. */
  public static final int SUB_SM_SYNC = 0x22;
  /**
   * syncmesh extension v2 (docs/extension-v2.md): a broadcast tree's announcement, graft or prune
   * ({@link TreeMessage}), whispered only over links that negotiated version 2; and from v3
   * (docs/extension-v3.md) its orphan notice, only over links of version 3.
   */
  public static final int SUB_SM_TREE = 0x23;

  /** First value outside the range 0x00–0x2F that both libraries reserve. */
  public static final int RESERVED_LIMIT = 0x30;

  /** True if {@code flag} is in the reserved range {@code [0, RESERVED_LIMIT)}. */
  public static boolean isReserved(long flag) {
    return flag >= 0 && flag < RESERVED_LIMIT;
  }
}
