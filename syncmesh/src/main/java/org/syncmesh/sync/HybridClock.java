package org.syncmesh.sync;

import java.time.Clock;
import java.time.Duration;
import org.syncmesh.Hlc;
import org.syncmesh.Version;
import org.syncmesh.wire.Checks;

/**
 * One node's hybrid logical clock (Kulkarni et al. 2014), which stamps its writes with
 * {@link Version}s (docs/extension-v1.md, "Versions"). It promises:
 * <ul>
 *   <li>every {@link #tick()} is greater than every version ticked or {@link #observe observed}
 *       before it, whatever the physical clock does (it may stand still or go back);
 *   <li>a tick follows physical time when that is ahead: {@code max(last + 1, (now, 0))}, the
 *       paper's send rule in packed form, where {@code last + 1} on a full counter moves to the
 *       next millisecond;
 *   <li>a remote version more than {@code maxDrift} ahead of physical time is refused with a
 *       {@link ClockDriftException} and leaves the clock as it was, so one peer with a wrong clock
 *       cannot drag every node's versions into the future;
 *   <li>when the latest version this clock holds is more than {@code maxDrift} ahead of physical
 *       time (the clock went back), {@link #tick()} refuses, rather than issue versions that only
 *       the counter separates for as long as the clock is behind.
 * </ul>
 * Observing keeps the larger value and does not tick: only writes need a version of their own.
 *
 * <p>Not thread-safe: confined to the node's single writer, whose steps handle every write and
 * every received version in turn (see {@code MeshSocket}, "Concurrency").
 */
final class HybridClock {

  /** The default allowed drift: 60 s. */
  static final Duration DEFAULT_MAX_DRIFT = Duration.ofSeconds(60);

  private final String writer;
  private final Clock clock;
  private final Duration maxDrift;
  private final long maxDriftMillis;
  /** The largest clock value ticked or observed; 0 before any. Volatile for {@link #last()}'s readers only. */
  private volatile long last;
  /** How far this clock is ahead of its furthest-behind syncmesh peer (anti-entropy measures it). */
  private volatile long peersBehindMillis;
  private volatile @org.jspecify.annotations.Nullable String peerBehind;

  /** A clock for {@code writer} (this node's id) on {@code clock}, with the default drift. */
  HybridClock(String writer, Clock clock) {
    this(writer, clock, DEFAULT_MAX_DRIFT);
  }

  /**
   * A clock for {@code writer} on {@code clock}, refusing what is more than {@code maxDrift} ahead.
   *
   * @throws IllegalArgumentException if {@code writer} is no valid {@link Version} writer or {@code maxDrift} is not positive
   */
  HybridClock(String writer, Clock clock, Duration maxDrift) {
    new Version(0, writer); // checks the writer once, here
    this.writer = writer;
    this.clock = Checks.notNull(clock, "clock");
    this.maxDrift = Checks.positive(maxDrift, "maxDrift");
    this.maxDriftMillis = maxDrift.toMillis();
  }

  /**
   * The version of a local write, greater than everything ticked or observed before.
   *
   * @throws ClockDriftException (local) if this clock is more than maxDrift behind its latest version
   */
  Version tick() {
    long now = physicalMillis();
    checkLocal(now);
    // last + 1 cannot overflow: last is at most maxDrift ahead of a clock below 2^47 ms, until the year 6429.
    last = Math.max(Math.addExact(last, 1), Hlc.of(now, 0));
    return new Version(last, writer);
  }

  private void checkLocal(long now) {
    if (Hlc.millis(last) - now > maxDriftMillis) {
      throw ClockDriftException.localBehind(last, now, maxDrift);
    }
    long ahead = peersBehindMillis;
    String peer = peerBehind;
    if (ahead > maxDriftMillis && peer != null) {
      throw ClockDriftException.localAhead(peer, now, ahead, maxDrift);
    }
  }

  /**
   * What {@link #tick()} would return now, without ticking: for a write encoded on the caller's
   * thread before it enters the node. Any thread.
   */
  long peekNext() {
    return Math.max(last + 1, Hlc.of(physicalMillis(), 0));
  }

  /**
   * A tick at {@code guess}, a {@link #peekNext()} taken a moment ago, if it is still greater than
   * everything ticked or observed (as a rule: nothing came in between); otherwise a plain tick.
   *
   * @throws ClockDriftException (local) as {@link #tick()}
   */
  Version tickAt(Version guess) {
    long now = physicalMillis();
    long hlc = guess.hlc();
    if (hlc > last && Hlc.millis(hlc) <= now && guess.writer().equals(writer)) {
      checkLocal(now);
      last = hlc;
      return guess;
    }
    return tick();
  }

  /**
   * As {@link #tick()}, but at least {@code hlc}: for a write that must carry a later second.
   *
   * @throws ClockDriftException (local) as {@link #tick()}
   */
  Version tickAtLeast(long hlc) {
    Version v = tick();
    if (v.hlc() >= hlc) {
      return v;
    }
    last = hlc;
    return new Version(last, writer);
  }

  /**
   * Advances this clock to a version read from the node's data directory, with no drift check:
   * every later tick is greater, so a restarted node never writes below what it wrote before,
   * even if the machine's clock went back (then its writes are refused, as {@link #tick()} says,
   * until the clock is within maxDrift again). The node's loading thread, before it starts.
   */
  void restore(long hlc) {
    if (hlc > last) {
      last = hlc;
    }
  }

  /** The allowed drift. */
  Duration maxDrift() {
    return maxDrift;
  }

  /**
   * Advances this clock to {@code remote} if it is later: every later tick is greater.
   *
   * @throws ClockDriftException (not local) if {@code remote} is more than maxDrift ahead of
   *     physical time; the clock is unchanged
   */
  void observe(Version remote) {
    Checks.notNull(remote, "remote");
    long now = physicalMillis();
    if (Hlc.millis(remote.hlc()) - now > maxDriftMillis) {
      throw ClockDriftException.remoteAhead(remote, now, maxDrift);
    }
    last = Math.max(last, remote.hlc());
  }

  /**
   * Records that this node's clock is {@code aheadMillis} ahead of {@code peer}'s, the
   * furthest-behind syncmesh peer; while that exceeds the allowed drift, {@link #tick()} refuses,
   * as that peer would refuse this node's writes. Any thread.
   */
  void peersBehind(long aheadMillis, @org.jspecify.annotations.Nullable String peer) {
    this.peerBehind = peer;
    this.peersBehindMillis = aheadMillis;
  }

  /** The largest clock value ticked or observed so far; 0 before any. Any thread. */
  long last() {
    return last;
  }

  /** The writer id of this clock's versions. */
  String writer() {
    return writer;
  }

  /** The physical clock in milliseconds, kept within what a {@link Hlc} value holds. */
  private long physicalMillis() {
    return Math.min(Math.max(clock.millis(), 0), Hlc.MAX_MILLIS);
  }
}
