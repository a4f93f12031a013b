package org.syncmesh.cli;

import java.util.Collection;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.syncmesh.sync.PeerSyncState;

/**
 * The prompt's progress line for long work: while an initial sync runs, or anti-entropy catches up
 * at 1,000 entries a second or more, each {@link #tick} gives a line with the entries received, the
 * total when the peer told it, and the rate; once the work ends, one last line says how it went.
 * Between ticks it says nothing, so a node at rest prints nothing.
 *
 * <p>Not thread-safe: one thread ticks it (the prompt's timer); {@link #active} may be read from any.
 */
final class ProgressLine {

  /** Entries a second from which catching up after the initial sync counts as long work. */
  static final long BUSY_RATE = 1_000;

  private final Supplier<? extends Collection<PeerSyncState>> peers;
  private long lastReceived;
  private long lastNanos;
  private long startNanos;
  private long startReceived;
  private volatile boolean active;
  /** The peers seen with their initial sync done. */
  private final java.util.Set<String> synced = new java.util.HashSet<>();
  private boolean initial;

  /** Reads the peers' sync state from {@code peers} at each tick. */
  ProgressLine(Supplier<? extends Collection<PeerSyncState>> peers, long nowNanos) {
    this.peers = peers;
    this.lastNanos = nowNanos;
    this.lastReceived = received(peers.get());
  }

  /** Whether long work is under way (the prompt holds back a line per key meanwhile). */
  boolean active() {
    return active;
  }

  /** The line to print now, or null for none. */
  @Nullable String tick(long nowNanos) {
    Collection<PeerSyncState> states = peers.get();
    long before = lastReceived;
    long received = received(states);
    double seconds = Math.max(1e-3, (nowNanos - lastNanos) / 1e9);
    long rate = Math.round(Math.max(0, received - before) / seconds);
    lastNanos = nowNanos;
    lastReceived = received;
    long total = 0;
    boolean syncing = false;
    boolean quickSync = false; // a peer's initial sync began and ended between two ticks: short work
    for (PeerSyncState s : states) {
      if (s.initialSyncDone() && synced.add(s.peerId()) && !active) {
        quickSync = true;
      }
      if (s.extensionVersion() >= 1 && !s.initialSyncDone() && (s.entriesReceived() > 0 || s.peerEntries() > 0)) {
        syncing = true;
        total = total < 0 || s.peerEntries() < 0 ? -1 : total + s.peerEntries();
      }
    }
    // An initial sync ends when its peers are in sync, however fast its last entries came.
    if (syncing || rate >= BUSY_RATE && !quickSync && !(active && initial)) {
      if (!active) { // the entries of this tick are the work's first
        active = true;
        initial = syncing;
        startNanos = lastTickNanos(nowNanos, seconds);
        startReceived = before;
      }
      String what = initial ? "initial sync" : "anti-entropy catching up";
      return what + ": " + count(received - startReceived) + (syncing && total > 0 ? " of " + count(total) : "")
          + " entries received, " + count(rate) + "/s";
    }
    if (active) {
      active = false;
      double took = (nowNanos - startNanos) / 1e9;
      return (initial ? "initial sync done: " : "anti-entropy caught up: ") + count(received - startReceived)
          + " entries in " + String.format(Locale.ROOT, "%.1f", took) + " s";
    }
    return null;
  }

  private static long lastTickNanos(long nowNanos, double seconds) {
    return nowNanos - Math.round(seconds * 1e9);
  }

  private static long received(Collection<PeerSyncState> states) {
    long n = 0;
    for (PeerSyncState s : states) {
      n += s.entriesReceived();
    }
    return n;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
