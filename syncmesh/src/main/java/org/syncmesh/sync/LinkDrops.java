package org.syncmesh.sync;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What each link brought that this node did not take: its peer's messages and entries dropped or
 * refused, per reason, for the per-link meters (docs/metrics.md). Counted where the node decides:
 * directly for what the sync layer drops on arrival, and by {@link #attributed} for what the store
 * refuses inside a writer's step.
 *
 * <p>Thread-safe. A link's counts are forgotten when it is no longer linked ({@link #retain}).
 */
final class LinkDrops {

  /** Why a link's message or entry was not taken; the names are the meters' {@code reason} tags. */
  enum Reason {
    /** Malformed, or an extension message on a link that did not negotiate it. */
    MALFORMED,
    /** Secure networks: forged, tampered, unsigned, or by a denied member. */
    FORGED,
    /** Secure networks: too many messages waiting for their signature check. */
    BUSY,
    /** Secure networks: older than its writer's write held here. */
    STALE,
    /** Another node holds the key's lease. */
    LEASE,
    /** Stamped too far ahead of this node's clock. */
    CLOCK,
    /** Older than the deletes this node has forgotten. */
    HORIZON,
    /** A new key past {@code maxEntries}. */
    LIMIT;

    /** The meter tag. */
    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Reason[] REASONS = Reason.values();

  private final ConcurrentHashMap<String, AtomicLongArray> byLink = new ConcurrentHashMap<>();

  /** Counts one drop from the link to {@code peerId}. */
  void drop(String peerId, Reason reason) {
    byLink.computeIfAbsent(peerId, id -> new AtomicLongArray(REASONS.length)).incrementAndGet(reason.ordinal());
  }

  /** Drops from the link to {@code peerId} for {@code reason} since it was first counted; 0 if none. */
  long count(String peerId, Reason reason) {
    AtomicLongArray counts = byLink.get(peerId);
    return counts == null ? 0 : counts.get(reason.ordinal());
  }

  /** Forgets the links not among {@code linked}. */
  void retain(Collection<String> linked) {
    byLink.keySet().retainAll(linked);
  }

  /**
   * {@code step}, run as one writer's step, with what {@code store} refuses in it counted against
   * the link to {@code peerId}: the counters read here only move in the writer's steps, so their
   * growth across the step is this step's.
   */
  Runnable attributed(Store store, String peerId, Runnable step) {
    return () -> {
      long lease = store.refusedLease.get();
      long clock = store.refusedClock.get();
      long horizon = store.refusedHorizon.get();
      long limit = store.refusedLimit.get();
      long stale = store.staleRemote.get();
      long malformed = store.malformedInSteps.get();
      step.run();
      add(peerId, Reason.LEASE, store.refusedLease.get() - lease);
      add(peerId, Reason.CLOCK, store.refusedClock.get() - clock);
      add(peerId, Reason.HORIZON, store.refusedHorizon.get() - horizon);
      add(peerId, Reason.LIMIT, store.refusedLimit.get() - limit);
      add(peerId, Reason.STALE, store.staleRemote.get() - stale);
      add(peerId, Reason.MALFORMED, store.malformedInSteps.get() - malformed);
    };
  }

  private void add(String peerId, Reason reason, long n) {
    if (n > 0) {
      byLink.computeIfAbsent(peerId, id -> new AtomicLongArray(REASONS.length)).addAndGet(reason.ordinal(), n);
    }
  }
}
