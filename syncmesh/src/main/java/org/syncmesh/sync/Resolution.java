package org.syncmesh.sync;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Hlc;
import org.syncmesh.Version;

/**
 * How two states of one key become one (docs/extension-v1.md §4): a join, so every node that
 * has seen the same writes, in any order and any number of times, holds the same state.
 *
 * <ul>
 *   <li><b>Leasing off</b>: the state with the later base write (store or delete) wins; a map's
 *       fields written by deltas after that base are kept field by field, each with its own
 *       version, the later one winning.
 *   <li><b>Leasing on</b>: states are first compared by tenure: the higher lease epoch wins; in
 *       one epoch, the earlier claim wins (the first node to claim a free key keeps it). Within one
 *       tenure (one owner), as without leasing.
 * </ul>
 *
 * <p>Pure functions; thread-safe.
 */
final class Resolution {

  private Resolution() {}

  /**
   * The state after {@code current} and {@code incoming}; {@code current} itself (the same
   * object) when {@code incoming} adds nothing, {@code incoming} itself when it replaces it.
   */
  static Store.Entry merge(Store.Entry current, Store.Entry incoming, boolean leasing) {
    if (leasing) {
      int byTenure = compareTenure(current, incoming);
      if (byTenure != 0) {
        return byTenure > 0 ? current : incoming;
      }
    }
    return mergeFields(current, incoming);
  }

  /**
   * Positive if {@code a}'s tenure wins over {@code b}'s, negative if it loses, 0 if they are one:
   * the higher epoch wins; in one epoch the earlier claim, by its second, then the smaller
   * claimant id (as 0.7's same-second rule). One claimant in one second is one tenure, so the
   * 0.7 copy of a claiming write (whose version is derived from its second) and its versioned copy
   * claim alike.
   */
  static int compareTenure(Store.Entry a, Store.Entry b) {
    if (a.epoch() != b.epoch()) {
      return Integer.compare(a.epoch(), b.epoch());
    }
    Version ca = a.claim();
    Version cb = b.claim();
    if (ca == null || cb == null) {
      return ca == cb ? 0 : ca == null ? -1 : 1;
    }
    int bySecond = Long.compare(Hlc.millis(cb.hlc()) / 1000, Hlc.millis(ca.hlc()) / 1000);
    return bySecond != 0 ? bySecond : compareIds(cb.writer(), ca.writer());
  }

  /** The claim of a tenure that starts with a write at {@code seconds} by {@code writer}: its second. */
  static Version claim(long seconds, String writer) {
    return new Version(Hlc.of(Math.min(seconds, Hlc.MAX_MILLIS / 1000) * 1000, 0), writer);
  }

  private static int compareIds(String a, String b) {
    return new Version(0, a).compareTo(new Version(0, b));
  }

  /** Whether {@code incoming} loses to {@code current} by tenure alone: another owner's lease holds. */
  static boolean losesTenure(Store.Entry current, Store.Entry incoming, boolean leasing) {
    return leasing && compareTenure(current, incoming) > 0;
  }

  private static Store.Entry mergeFields(Store.Entry a, Store.Entry b) {
    Store.Entry w;
    Store.Entry o;
    int byBase = compareNullsFirst(a.base(), b.base());
    if (byBase == 0) {
      int byVersion = a.version().compareTo(b.version());
      if (byVersion == 0 && a.deleted() != b.deleted()) {
        byVersion = a.deleted() ? 1 : -1; // a tombstone at a value's own version deletes it (Store.dropForgotten)
      } else if (byVersion == 0) {
        // One write (or two 0.7 writes whose derived versions collide): a fixed tie-break.
        byVersion = Integer.compare(Objects.hashCode(a.value()), Objects.hashCode(b.value()));
      }
      byBase = byVersion >= 0 ? 1 : -1;
    }
    if (byBase > 0) {
      w = a;
      o = b;
    } else {
      w = b;
      o = a;
    }
    Map<Object, Version> fields = o.fields();
    if (fields == null) {
      return w;
    }
    Map<Object, Version> wonFields = null;
    for (Map.Entry<Object, Version> f : fields.entrySet()) {
      Version v = f.getValue();
      Version held = w.fields() == null ? null : w.fields().get(f.getKey());
      if ((w.base() == null || v.compareTo(w.base()) > 0) && (held == null || v.compareTo(held) > 0)) {
        if (wonFields == null) {
          wonFields = new LinkedHashMap<>();
        }
        wonFields.put(f.getKey(), v);
      }
    }
    if (wonFields == null) {
      return w;
    }
    Map<Object, Object> value = w.value() instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : new LinkedHashMap<>();
    Map<Object, Version> allFields = w.fields() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(w.fields());
    Map<?, ?> from = (Map<?, ?>) o.value();
    Version top = w.version();
    for (Map.Entry<Object, Version> f : wonFields.entrySet()) {
      value.put(f.getKey(), from.get(f.getKey()));
      allFields.put(f.getKey(), f.getValue());
      if (f.getValue().compareTo(top) > 0) {
        top = f.getValue();
      }
    }
    Store.Entry topEntry = top.equals(w.version()) ? w : o;
    return new Store.Entry(java.util.Collections.unmodifiableMap(value), top, topEntry.timestamp(), w.base(),
        java.util.Collections.unmodifiableMap(allFields), w.epoch(), w.claim(), topEntry.ownerBin());
  }

  /** The lease epoch and claim of a new write, or why it may not be made. */
  record Tenure(int epoch, @Nullable Version claim) {
    static final Tenure NONE = new Tenure(0, null);

    // written out: see Version's equals
    @Override
    public boolean equals(Object o) {
      return o instanceof Tenure t && epoch == t.epoch && Objects.equals(claim, t.claim);
    }

    @Override
    public int hashCode() {
      return 31 * epoch + Objects.hashCode(claim);
    }
  }

  /**
   * The tenure of a write by {@code writer} at {@code version} to a key in state {@code current}
   * on a leasing network, judged from versions only (never from the receiver's clock):
   * <ol>
   *   <li>a free key (absent or deleted) is claimed: the next epoch, claimed at this version; but a
   *       write whose millisecond is before a tombstone's only joins the tombstone's tenure (a
   *       0.7 write's derived version: a deleted value that a js2p node gives back);
   *   <li>the owner (the writer of the current version) writes in its own tenure;
   *   <li>another node takes the key over once this write's second is more than an hour after
   *       the second of the owner's last write (0.7's condition 4, judged on the two writes'
   *       timestamps instead of the receiver's clock): the next epoch;
   *   <li>otherwise the lease holds: null.
   * </ol>
   * Without leasing every write has {@link Tenure#NONE}.
   */
  static @Nullable Tenure tenure(Store.@Nullable Entry current, Version version, long seconds, boolean leasing) {
    return tenure(current, version, seconds, leasing, 0);
  }

  /**
   * As {@link #tenure(Store.Entry, Version, long, boolean)}, where a key this node holds nothing of
   * is claimed in the epoch after {@code epochFloor}: the highest epoch of a tombstone this node
   * has collected, so that a claim made just after a collection is not beaten by the tombstone a
   * peer has not collected yet.
   */
  static @Nullable Tenure tenure(Store.@Nullable Entry current, Version version, long seconds, boolean leasing,
      int epochFloor) {
    return tenure(current, version, seconds, leasing, epochFloor, false);
  }

  /**
   * As {@link #tenure(Store.Entry, Version, long, boolean, int)}; with {@code reclaim} (a secure
   * leasing network, docs/extension-v1.md §8.4) an owner whose write comes more than the lease
   * after its own last write (its lease had ended) does not write in its old tenure but claims the
   * key again, epoch + 1, as another node's takeover would: so a tenure's lease has no gap, and
   * its latest write alone says until when it holds ({@link History#covers}).
   */
  static @Nullable Tenure tenure(Store.@Nullable Entry current, Version version, long seconds, boolean leasing,
      int epochFloor, boolean reclaim) {
    if (!leasing) {
      return Tenure.NONE;
    }
    if (current == null) {
      return new Tenure(epochFloor + 1, claim(seconds, version.writer()));
    }
    if (current.value() == null) {
      if (Hlc.millis(version.hlc()) < Hlc.millis(current.version().hlc())) {
        // A write from before the delete (a 0.7 peer giving back what was deleted, in its initial
        // sync) claims nothing: it joins the tombstone's tenure, where the later delete wins.
        return new Tenure(current.epoch(), current.claim());
      }
      return new Tenure(current.epoch() + 1, claim(seconds, version.writer()));
    }
    if (current.version().writer().equals(version.writer())) {
      if (reclaim && seconds > current.timestamp() + LeasePolicy.LEASE_SECONDS) {
        return new Tenure(current.epoch() + 1, claim(seconds, version.writer()));
      }
      return new Tenure(current.epoch(), current.claim());
    }
    if (seconds > current.timestamp() + LeasePolicy.LEASE_SECONDS) {
      return new Tenure(current.epoch() + 1, claim(seconds, version.writer()));
    }
    return null;
  }

  private static int compareNullsFirst(@Nullable Version a, @Nullable Version b) {
    if (a == null || b == null) {
      return a == b ? 0 : a == null ? -1 : 1;
    }
    return a.compareTo(b);
  }
}
