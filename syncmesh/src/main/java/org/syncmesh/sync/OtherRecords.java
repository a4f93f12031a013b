package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.syncmesh.Bytes;

/**
 * Each key's tenure records other than its visible state (a secure leasing network's history,
 * docs/extension-v1.md §8.4): the earlier or refused tenures a node keeps as evidence, best first.
 * Most keys have none, and then cost nothing here. The {@link Store} owns one and decides what the
 * records are ({@link History}); this class keeps them and answers what the store, anti-entropy
 * and the signer ask of them, and keeps their digests in the store's {@link DigestTree} in step.
 *
 * <p>Thread-safety: reads from any thread (a key's list is immutable and replaced whole); changes
 * only from the node's writer step, as every change to the store.
 */
final class OtherRecords {

  private final ConcurrentHashMap<Bytes, List<History.Record>> byKey = new ConcurrentHashMap<>();
  private final DigestTree tree;

  /** @param tree the store's digest tree, which also digests every record kept here */
  OtherRecords(DigestTree tree) {
    this.tree = tree;
  }

  /** {@code key}'s other records, best first; empty for most keys. */
  List<History.Record> of(Bytes key) {
    return byKey.getOrDefault(key, List.of());
  }

  /**
   * {@code key}'s digest for anti-entropy, its visible state {@code visible}'s XOR those of its other
   * records (§5.1), so replicas with different histories differ.
   */
  long digest(Bytes key, long keyHash, Store.Entry visible) {
    long d = DigestTree.entryDigest(keyHash, visible);
    for (History.Record r : of(key)) {
      d ^= DigestTree.entryDigest(keyHash, r.state());
    }
    return d;
  }

  /** The highest hlc among {@code key}'s records, {@code visible} its visible state. */
  long maxHlc(Bytes key, Store.Entry visible) {
    long max = visible.version().hlc();
    for (History.Record r : of(key)) {
      max = Math.max(max, r.state().version().hlc());
    }
    return max;
  }

  /** Whether one of {@code key}'s other records is {@code state}. */
  boolean contains(Bytes key, Store.Entry state) {
    for (History.Record r : of(key)) {
      if (r.state().equals(state)) {
        return true;
      }
    }
    return false;
  }

  /** {@code key}'s records with {@code visible} among them in its place, best first. */
  List<History.Record> withVisible(Bytes key, History.Record visible) {
    List<History.Record> others = of(key);
    if (others.isEmpty()) {
      return List.of(visible);
    }
    List<History.Record> all = new ArrayList<>(others.size() + 1);
    boolean placed = false;
    for (History.Record r : others) {
      if (!placed && Resolution.compareTenure(visible.state(), r.state()) > 0) {
        all.add(visible);
        placed = true;
      }
      all.add(r);
    }
    if (!placed) {
      all.add(visible);
    }
    return all;
  }

  /** Replaces {@code key}'s other records (none: forgets the key), and their digests in the tree. */
  void replace(Bytes key, List<History.Record> others) {
    List<History.Record> old = of(key);
    if (old.equals(others)) {
      if (!old.isEmpty()) {
        byKey.put(key, List.copyOf(others)); // proofs may differ
      }
      return;
    }
    for (History.Record r : old) {
      tree.toggle(key, r.state());
    }
    for (History.Record r : others) {
      tree.toggle(key, r.state());
    }
    if (others.isEmpty()) {
      byKey.remove(key);
    } else {
      byKey.put(key, List.copyOf(others));
    }
  }

  /** Puts {@code w}'s signature in the records of its key that wait for it; whether any did. */
  boolean sign(SignedWrites.KeyedWrite w) {
    List<History.Record> others = byKey.get(w.key());
    if (others == null) {
      return false;
    }
    List<History.Record> out = new ArrayList<>(others.size());
    boolean changed = false;
    for (History.Record r : others) {
      SignedWrites.Proof p = r.proof() == null ? null : SignedWrites.withSignature(r.proof(), w.write());
      changed |= p != r.proof();
      out.add(p == r.proof() ? r : new History.Record(r.state(), p));
    }
    if (changed) {
      byKey.put(w.key(), List.copyOf(out));
    }
    return changed;
  }

  /** Adds to {@code out} the writes of {@code writer} whose signature is still pending in these records. */
  void pendingWrites(String writer, List<SignedWrites.KeyedWrite> out) {
    byKey.forEach((key, records) -> {
      for (History.Record r : records) {
        if (r.proof() != null && SignedWrites.pending(r.proof())) {
          for (SignedWrites.Write w : SignedWrites.pendingWrites(r.state(), r.proof())) {
            if (w.version().writer().equals(writer)) {
              out.add(new SignedWrites.KeyedWrite(key, w));
            }
          }
        }
      }
    });
  }
}
