package org.syncmesh.sync;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Hlc;

/**
 * The tenure history of one key in a secure leasing network (docs/extension-v1.md §8.4): every
 * <b>record</b> a node has received, one per tenure (epoch and claim), each the state the writes
 * of that tenure alone make with its proof, and the visible state, a function of those records.
 *
 * <p><b>Records</b> are kept best first by tenure order ({@link Resolution#compareTenure}: the
 * higher epoch, then the earlier claim), at most {@value #MAX_RECORDS_PER_CLAIMANT} per claimant.
 * Adding a state merges it into the record of its tenure with {@link Resolution#merge}, or adds a
 * record, then keeps each claimant's {@value #MAX_RECORDS_PER_CLAIMANT} best: a union of records
 * joined per record, cut to the top of one total order within each claimant's, so commutative,
 * associative and idempotent, and replicas that received the same writes hold the same records
 * whatever the order.
 *
 * <p><b>The visible state</b> ({@link #walk}): going through the epochs in ascending order with
 * no holder, the candidates of an epoch are its records whose claim the holder's lease does not
 * cover ({@link #covers}), and those of the holder's own owner; the best candidate by tenure order
 * becomes the holder. A record of a higher epoch whose claim the holder covered is an <b>early
 * takeover</b>: kept, as evidence, but never shown. One function of the whole history, so the
 * non-transitive pairwise rule (§8.4's example) makes no cycle.
 *
 * <p>Pure functions over immutable lists; thread-safe.
 */
final class History {

  /**
   * Records kept per key and claimant: each claimant's best by tenure order. Per claimant, so that
   * no member's tenures, however many it signs, push another member's record out.
   */
  static final int MAX_RECORDS_PER_CLAIMANT = 4;

  private History() {}

  /** One tenure's state and what proves it (null: nothing does, e.g. an unsigned tombstone). */
  record Record(Store.Entry state, SignedWrites.@Nullable Proof proof) {}

  /** The visible record of a walk, and the early takeovers it refused, each with the record whose lease covered it. */
  record Walk(Record visible, List<Refused> refused) {
    /** Whether the walk refused the record of {@code state}'s tenure as an early takeover. */
    boolean refuses(Store.Entry state) {
      return refusalOf(state) != null;
    }

    /** The refusal of the record of {@code state}'s tenure, or null if the walk did not refuse it. */
    @Nullable Refused refusalOf(Store.Entry state) {
      for (Refused r : refused) {
        if (Resolution.compareTenure(r.taker().state(), state) == 0) {
          return r;
        }
      }
      return null;
    }
  }

  /** An early takeover and the holder whose lease covered its claim. */
  record Refused(Record taker, Record holder) {}

  /**
   * {@code records} with {@code incoming} merged into the record of its tenure, or added; the same
   * list instance when nothing changes (the record already holds it, or it falls below its
   * claimant's best {@value #MAX_RECORDS_PER_CLAIMANT}).
   */
  static List<Record> add(List<Record> records, Record incoming) {
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      int byTenure = Resolution.compareTenure(r.state(), incoming.state());
      if (byTenure == 0) {
        Store.Entry merged = Resolution.merge(r.state(), incoming.state(), true);
        Record next;
        if (merged.equals(r.state())) {
          if (r.proof() != null || incoming.proof() == null || !merged.equals(incoming.state())) {
            return records; // held already
          }
          next = new Record(r.state(), incoming.proof()); // the same state, now proved
        } else {
          next = new Record(merged, proofOf(r, incoming, merged));
        }
        List<Record> out = new ArrayList<>(records);
        out.set(i, next);
        return List.copyOf(out);
      }
      if (byTenure < 0) { // the first record incoming beats: its place
        List<Record> out = new ArrayList<>(records);
        out.add(i, incoming);
        return bounded(out, records);
      }
    }
    List<Record> out = new ArrayList<>(records);
    out.add(incoming);
    return bounded(out, records);
  }

  /**
   * {@code out} (best first) with each claimant's records past its {@value #MAX_RECORDS_PER_CLAIMANT}
   * best dropped; {@code before} itself if that leaves it unchanged.
   */
  private static List<Record> bounded(List<Record> out, List<Record> before) {
    java.util.Map<String, Integer> kept = new java.util.HashMap<>();
    out.removeIf(r -> kept.merge(claimant(r.state()), 1, Integer::sum) > MAX_RECORDS_PER_CLAIMANT);
    return out.equals(before) ? before : List.copyOf(out);
  }

  /**
   * What proves {@code merged}, the join of {@code a}'s and {@code b}'s states of one tenure: the
   * signature of the store or delete that made it, or for a map made by deltas the writes of both
   * proofs that still contribute; null if none does.
   */
  static SignedWrites.@Nullable Proof proofOf(Record a, Record b, Store.Entry merged) {
    if (merged.fields() == null) {
      for (Record r : List.of(b, a)) {
        if (r.proof() instanceof SignedWrites.Signed s && s.version().equals(merged.version())
            && r.state().fields() == null) {
          return s;
        }
      }
      return null;
    }
    List<SignedWrites.Write> candidates = new ArrayList<>();
    addWrites(candidates, a);
    addWrites(candidates, b);
    return SignedWrites.proofOf(merged, candidates);
  }

  private static void addWrites(List<SignedWrites.Write> to, Record r) {
    if (r.proof() instanceof SignedWrites.Signed s && r.state().fields() == null) {
      to.add(SignedWrites.Write.of(r.state(), s));
    } else if (r.proof() instanceof SignedWrites.Writes ws) {
      to.addAll(ws.writes());
    }
  }

  /**
   * The visible record of {@code records} (best first, as {@link #add} keeps them; not empty) and
   * the early takeovers among them.
   */
  static Walk walk(List<Record> records) {
    Record holder = null;
    List<Refused> refused = new ArrayList<>();
    int i = records.size() - 1;
    while (i >= 0) {
      int epoch = records.get(i).state().epoch();
      int first = i;
      while (first > 0 && records.get(first - 1).state().epoch() == epoch) {
        first--;
      }
      Record winner = null;
      for (int k = first; k <= i; k++) { // best first within the epoch: the first candidate wins
        Record r = records.get(k);
        if (holder == null || !covers(holder.state(), claimSecond(r.state()))
            || claimant(r.state()).equals(holder.state().owner())) {
          if (winner == null) {
            winner = r;
          }
        } else {
          refused.add(new Refused(r, holder));
        }
      }
      if (winner != null) {
        holder = winner;
      }
      i = first - 1;
    }
    if (holder == null) {
      throw new IllegalArgumentException("no records");
    }
    return new Walk(holder, List.copyOf(refused));
  }

  /**
   * Whether {@code holder}'s lease holds at {@code second}: a tombstone (its owner's delete at
   * second d) covers every second before d (the delete's own second is free again: a claim just
   * after a delete in the same second is honest, §4.2 rule 1); a value, every second up to its
   * latest write's plus the lease, {@link Store#leaseEndSeconds}. Everything before the holder's
   * own claim is covered too, which kills back-dated takeovers.
   */
  static boolean covers(Store.Entry holder, long second) {
    return holder.deleted() ? second < holder.timestamp() : second <= Store.leaseEndSeconds(holder);
  }

  /** The second of {@code e}'s claim; no claim counts as the earliest. */
  static long claimSecond(Store.Entry e) {
    return e.claim() == null ? Long.MIN_VALUE : Hlc.millis(e.claim().hlc()) / 1000;
  }

  /** Who claimed {@code e}'s tenure. */
  static String claimant(Store.Entry e) {
    return e.claim() == null ? e.owner() : e.claim().writer();
  }
}
