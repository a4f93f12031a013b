package org.syncmesh.wire;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import org.syncmesh.Bytes;
import org.syncmesh.Protocol;

/**
 * Helpers for node ids, which on the wire are opaque base58 text of at most 66 characters (docs/protocol-0.7.md §3.3).
 * No peer recomputes an id; py2p only base58-decodes ids during conflict resolution, so they must be pure base58.
 *
 * <p>Stateless apart from the per-JVM salt, which is created once, lazily and thread-safely.
 */
public final class NodeId {
  private NodeId() {}

  /** Holder idiom: the salt is made on first use, once per JVM, like js2p's per-process {@code user_salt}. */
  private static final class Salt {
    static final String VALUE = randomUuid4(new SecureRandom());
  }

  /**
   * A fresh id for a node bound to {@code bindHost:bindPort} on {@code protocol}, using js2p's formula with this
   * JVM's random salt; see {@link #js2pFormula}. Ids of two nodes in one JVM differ when their bind port differs.
   */
  public static String generate(Protocol protocol, String bindHost, int bindPort) {
    Checks.notNull(protocol, "protocol");
    Checks.notNull(bindHost, "bindHost");
    Checks.inRange(bindPort, 0, 65535, "bindPort");
    return js2pFormula(bindHost, bindPort, protocol.id(), Salt.VALUE);
  }

  /**
   * A fresh random id, tied to no address: for a node that keeps its id across restarts (a durable
   * sync socket's first start). The same form as {@link #generate}'s.
   */
  public static String random(Protocol protocol) {
    Checks.notNull(protocol, "protocol");
    return js2pFormula("0.0.0.0", 0, protocol.id(), randomUuid4(new SecureRandom()));
  }

  /**
   * The id of a node in a secure network: base58 of the SHA-384 of its 32-byte Ed25519 public key
   * ({@link NodeIdentity}), read as an unsigned integer, like {@link #js2pFormula}'s ids.
   *
   * @throws IllegalArgumentException if the key is not 32 bytes
   */
  public static String fromPublicKey(byte[] ed25519PublicKey) {
    Checks.notNull(ed25519PublicKey, "ed25519PublicKey");
    Checks.argument(ed25519PublicKey.length == 32, "ed25519PublicKey", ed25519PublicKey.length + " bytes", "32 bytes");
    return Base58.encodeUnsigned(Digests.sha384(ed25519PublicKey));
  }

  /**
   * js2p's node-id formula: {@code base58(SHA-384("(" + host + ", " + port + ")" + protocolId + salt))}, the
   * digest read as an unsigned integer (§3.3).
   */
  public static String js2pFormula(String host, int port, String protocolId, String salt) {
    Checks.notNull(host, "host");
    Checks.notNull(protocolId, "protocolId");
    Checks.notNull(salt, "salt");
    String hashed = "(" + host + ", " + port + ")" + protocolId + salt;
    return Base58.encodeUnsigned(Digests.sha384(hashed.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Orders two ids by their UTF-8 bytes compared unsigned, whatever their wire type: the owner comparison of the
   * sync lease tie-break (§10.3). Negative, zero or positive as for {@link Comparable}.
   */
  public static int compareForLease(String a, String b) {
    Checks.notNull(a, "a");
    Checks.notNull(b, "b");
    return Bytes.utf8(a).compareTo(Bytes.utf8(b));
  }

  /** The integer value of {@code id} read as base58, or empty if it is empty or not pure base58. */
  public static Optional<BigInteger> numericValue(String id) {
    Checks.notNull(id, "id");
    return Base58.isBase58(id) ? Optional.of(Base58.decode(id)) : Optional.empty();
  }

  static String randomUuid4(SecureRandom random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40); // version 4
    b[8] = (byte) ((b[8] & 0x3f) | 0x80); // IETF variant
    String h = BytesInternals.hex(b, 0, 16);
    return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-"
        + h.substring(20);
  }
}
