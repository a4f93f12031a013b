package org.syncmesh.testing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The seed of a randomized test: {@code -Dsyncmesh.seed=N} replays a run, otherwise a fresh
 * random one. Tests put it in their failure messages, and it is printed when picked so that a
 * run that hangs can be replayed too.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed to use for this run. */
  public static long seed() {
    String given = System.getProperty("syncmesh.seed");
    long seed = given != null && !given.isBlank() ? Long.parseLong(given.trim())
        : ThreadLocalRandom.current().nextLong();
    System.out.println("seed " + seed + " (replay with -Dsyncmesh.seed=" + seed + ")");
    return seed;
  }
}
