package org.syncmesh.sync;

import java.time.Duration;
import java.time.Instant;
import org.syncmesh.Hlc;
import org.syncmesh.Version;

/**
 * A version refused because clocks disagree by more than the allowed drift (docs/extension-v1.md,
 * "Versions"): either a peer's version is too far ahead of this node's clock ({@link #local()}
 * false: the version is not applied and the clock does not move), or this node's own clock is
 * that far behind the versions it has already issued or seen, as after its clock was set back
 * ({@link #local()} true: local writes are refused until the clock catches up).
 *
 * <p>Unchecked, like {@link LeaseException}: a refusal is an outcome to report, not a bug. Immutable.
 */
public final class ClockDriftException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long hlc;
  private final long physicalMillis;
  private final Duration maxDrift;
  private final boolean local;

  private ClockDriftException(String message, long hlc, long physicalMillis, Duration maxDrift, boolean local) {
    super(message);
    this.hlc = hlc;
    this.physicalMillis = physicalMillis;
    this.maxDrift = maxDrift;
    this.local = local;
  }

  static ClockDriftException remoteAhead(Version remote, long physicalMillis, Duration maxDrift) {
    long ahead = Hlc.millis(remote.hlc()) - physicalMillis;
    return new ClockDriftException("refused version " + remote + ": " + seconds(ahead)
        + " ahead of this node's clock (" + Instant.ofEpochMilli(physicalMillis) + "), more than the allowed drift of "
        + seconds(maxDrift.toMillis()) + "; the clock of " + remote.writer() + " or of this node is wrong",
        remote.hlc(), physicalMillis, maxDrift, false);
  }

  static ClockDriftException localAhead(String peer, long physicalMillis, long aheadMillis, Duration maxDrift) {
    return new ClockDriftException("local writes refused: this node's clock (" + Instant.ofEpochMilli(physicalMillis)
        + ") is " + seconds(aheadMillis) + " ahead of peer " + peer + "'s, more than the allowed drift of "
        + seconds(maxDrift.toMillis()) + ", so that peer would refuse this node's writes; fix this node's clock",
        Hlc.of(physicalMillis, 0), physicalMillis, maxDrift, true);
  }

  static ClockDriftException localBehind(long lastHlc, long physicalMillis, Duration maxDrift) {
    long ahead = Hlc.millis(lastHlc) - physicalMillis;
    return new ClockDriftException("local writes refused: this node's clock (" + Instant.ofEpochMilli(physicalMillis)
        + ") is " + seconds(ahead) + " behind the latest version it has issued or seen (" + Hlc.format(lastHlc)
        + "), more than the allowed drift of " + seconds(maxDrift.toMillis())
        + "; its clock went back or is wrong, and writes resume once it catches up", lastHlc, physicalMillis,
        maxDrift, true);
  }

  /** True when local writes were refused, false when a peer's version was. */
  public boolean local() {
    return local;
  }

  /** The refused remote clock value, or for a local refusal the latest one this node holds. */
  public long hlc() {
    return hlc;
  }

  /** This node's physical clock at the refusal, in milliseconds since the epoch. */
  public long physicalMillis() {
    return physicalMillis;
  }

  /** How far {@link #hlc()} is ahead of {@link #physicalMillis()}. */
  public Duration aheadBy() {
    return Duration.ofMillis(Hlc.millis(hlc) - physicalMillis);
  }

  /** The drift allowed. */
  public Duration maxDrift() {
    return maxDrift;
  }

  private static String seconds(long millis) {
    return String.format(java.util.Locale.ROOT, "%.3f s", millis / 1000.0);
  }
}
