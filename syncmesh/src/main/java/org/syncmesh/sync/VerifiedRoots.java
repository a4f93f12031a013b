package org.syncmesh.sync;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.syncmesh.Bytes;
import org.syncmesh.NodeIdentity;

/**
 * Batch signatures already checked (docs/extension-v1.md §8.1): the first write of a batch costs
 * an Ed25519 check of the batch's root; the others, arriving just after on any verifier, find the
 * root here and cost only the hashes of their path. Two verifiers opening one batch at once check
 * its signature once: the second waits for the first's verdict. A verdict depends only on the
 * public key, the root, the batch size and the signature, so caching changes no verdict. Holds at
 * most {@link #MAX} batches, forgetting all when full. Thread-safe.
 */
final class VerifiedRoots {

  static final int MAX = 4096;

  private final ConcurrentHashMap<Bytes, Check> checks = new ConcurrentHashMap<>();
  private final String protocolId;

  /** Checks for the network {@code protocolId}. */
  VerifiedRoots(String protocolId) {
    this.protocolId = protocolId;
  }

  /** Whether {@code opened}'s signature is {@code key}'s (as bytes: {@code keyBytes}) over its root and batch size. */
  boolean verified(NodeIdentity.PublicKey key, Bytes keyBytes, BatchSignatures.Opened opened) {
    if (checks.size() >= MAX) {
      checks.clear();
    }
    Check check = checks.computeIfAbsent(Bytes.wrapOwned(opened.signature()),
        s -> new Check(keyBytes, opened.root(), opened.n()));
    if (!check.isFor(keyBytes, opened)) { // another claim under a signature seen before: checked on its own
      return key.verify(BatchSignatures.signedMessage(protocolId, opened.n(), opened.root()), opened.signature());
    }
    return check.verdict(key, opened, protocolId);
  }

  /** One batch's check, made once. */
  private static final class Check {
    private final Bytes key;
    private final byte[] root;
    private final int n;
    private Boolean verdict;

    Check(Bytes key, byte[] root, int n) {
      this.key = key;
      this.root = root;
      this.n = n;
    }

    boolean isFor(Bytes key, BatchSignatures.Opened opened) {
      return n == opened.n() && this.key.equals(key) && Arrays.equals(root, opened.root());
    }

    synchronized boolean verdict(NodeIdentity.PublicKey publicKey, BatchSignatures.Opened opened, String protocolId) {
      if (verdict == null) {
        verdict = publicKey.verify(BatchSignatures.signedMessage(protocolId, n, root), opened.signature());
      }
      return verdict;
    }
  }
}
