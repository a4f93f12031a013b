package org.syncmesh.sync;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;
import org.syncmesh.wire.Packets;

/**
 * One Ed25519 signature over many writes (docs/extension-v1.md §8.1): the writer hashes each
 * write's signed array into a leaf of a Merkle tree and signs the tree's root once; each write then
 * carries the signature, the batch size, its index and the sibling hashes from its leaf to the
 * root, so it is checked on its own, through relays and anti-entropy, like a single signature, and
 * a receiver that has checked one write of a batch checks the others with a few hashes.
 *
 * <pre>
 * leaf  = SHA-256(0x00 || signed array)          node = SHA-256(0x01 || left || right)
 * level by level, pairs (0,1), (2,3), ...; an odd last node moves up unchanged
 * signed by Ed25519: msgpack ["syncmesh-batch-v1", protocolId, n, root(bin 32)]
 * blob  = signature(64) || n(u16) || index(u16) || sibling hashes, leaf to root (32 each)
 * </pre>
 *
 * Stateless; thread-safe.
 */
final class BatchSignatures {

  /** The first element of the signed batch array. */
  static final String DOMAIN = "syncmesh-batch-v1";
  /** The most writes this node signs at once: a blob of at most 68 + 6 × 32 = 260 bytes. */
  static final int MAX_BATCH = 64;
  static final int HASH_BYTES = 32;
  static final int HEADER_BYTES = NodeIdentity.SIGNATURE_BYTES + 4;
  /** The largest blob this node makes. */
  static final int MAX_BLOB_BYTES = HEADER_BYTES + HASH_BYTES * depth(MAX_BATCH, MAX_BATCH - 1);

  private BatchSignatures() {}

  /** What a blob claims for one write: the root its path leads to, the batch size and the signature. */
  record Opened(int n, byte[] root, byte[] signature) {}

  /**
   * Signs {@code messages} (the writes' signed arrays, at most 65,535) as one batch and returns
   * each message's blob, in order.
   */
  static List<Bytes> sign(NodeIdentity identity, String protocolId, List<byte[]> messages) {
    int n = messages.size();
    if (n < 1 || n > 0xFFFF) {
      throw new IllegalArgumentException("a batch holds 1 to 65,535 writes, not " + n);
    }
    MessageDigest sha = sha256();
    List<byte[][]> levels = new ArrayList<>();
    byte[][] level = new byte[n][];
    for (int i = 0; i < n; i++) {
      level[i] = leaf(sha, messages.get(i));
    }
    levels.add(level);
    while (level.length > 1) {
      byte[][] up = new byte[(level.length + 1) / 2][];
      for (int i = 0; i < up.length; i++) {
        up[i] = 2 * i + 1 < level.length ? node(sha, level[2 * i], level[2 * i + 1]) : level[2 * i];
      }
      levels.add(up);
      level = up;
    }
    byte[] signature = identity.sign(signedMessage(protocolId, n, level[0]));
    List<Bytes> blobs = new ArrayList<>(n);
    for (int index = 0; index < n; index++) {
      ByteBuffer blob = ByteBuffer.allocate(HEADER_BYTES + HASH_BYTES * depth(n, index));
      blob.put(signature).putShort((short) n).putShort((short) index);
      int at = index;
      for (byte[][] l : levels.subList(0, levels.size() - 1)) {
        int sibling = at ^ 1;
        if (sibling < l.length) {
          blob.put(l[sibling]);
        }
        at >>= 1;
      }
      blobs.add(Bytes.wrapOwned(blob.array()));
    }
    return blobs;
  }

  /**
   * What {@code blob} claims for the write whose signed array is {@code message}: the root its
   * path leads to; null if the blob is malformed (too short, index out of the batch, a path of
   * the wrong length). The signature is not checked here.
   */
  static @Nullable Opened open(byte[] message, byte[] blob) {
    if (blob.length < HEADER_BYTES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(blob);
    byte[] signature = new byte[NodeIdentity.SIGNATURE_BYTES];
    b.get(signature);
    int n = Short.toUnsignedInt(b.getShort());
    int index = Short.toUnsignedInt(b.getShort());
    if (n < 1 || index >= n || b.remaining() != HASH_BYTES * depth(n, index)) {
      return null;
    }
    MessageDigest sha = sha256();
    byte[] hash = leaf(sha, message);
    byte[] sibling = new byte[HASH_BYTES];
    for (int at = index, size = n; size > 1; at >>= 1, size = (size + 1) / 2) {
      if ((at ^ 1) < size) {
        b.get(sibling);
        hash = (at & 1) == 0 ? node(sha, hash, sibling) : node(sha, sibling, hash);
      }
    }
    return new Opened(n, hash, signature);
  }

  /** The bytes the batch's Ed25519 signature covers. */
  static byte[] signedMessage(String protocolId, int n, byte[] root) {
    return Packets.encode(Arrays.asList(DOMAIN, protocolId, (long) n, Bytes.wrapOwned(root)));
  }

  /** The sibling hashes a write at {@code index} of a batch of {@code n} carries. */
  static int depth(int n, int index) {
    int depth = 0;
    for (int at = index, size = n; size > 1; at >>= 1, size = (size + 1) / 2) {
      if ((at ^ 1) < size) {
        depth++;
      }
    }
    return depth;
  }

  private static byte[] leaf(MessageDigest sha, byte[] message) {
    sha.update((byte) 0);
    return sha.digest(message);
  }

  private static byte[] node(MessageDigest sha, byte[] left, byte[] right) {
    sha.update((byte) 1);
    sha.update(left);
    return sha.digest(right);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
