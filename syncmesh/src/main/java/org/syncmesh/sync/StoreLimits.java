package org.syncmesh.sync;

import java.time.Duration;

/**
 * What a node lets its dictionary and its peers' anti-entropy cost it (docs/limits.md).
 *
 * @param maxEntries keys and tombstones held at most; past it, new keys are refused
 * @param tombstoneGrace how long a tombstone is kept before it is collected
 * @param antiEntropyInterval how often a node starts an anti-entropy round with each syncmesh peer
 * @param maxRoundsPerSecond anti-entropy rounds a peer may start per second; more are ignored
 */
record StoreLimits(int maxEntries, Duration tombstoneGrace, Duration antiEntropyInterval, int maxRoundsPerSecond) {

  static final StoreLimits DEFAULTS = new StoreLimits(10_000_000, Duration.ofHours(24), Duration.ofSeconds(2), 10);
}
