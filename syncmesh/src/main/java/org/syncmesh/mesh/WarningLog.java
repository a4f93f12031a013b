package org.syncmesh.mesh;

import org.slf4j.Logger;

/**
 * Logs a node's warnings at WARN, at most {@link #PER_WINDOW} lines in {@link #WINDOW_MILLIS}: a
 * peer that sends a forged or malformed write a thousand times a second must not fill the disk
 * with log lines, nor slow the node writing them. The warnings past the budget are counted, and
 * the count is logged with the next line after the window ends; {@code status()} keeps the latest
 * ones either way.
 *
 * <p>Thread-safe.
 */
final class WarningLog {

  static final int PER_WINDOW = 20;
  static final long WINDOW_MILLIS = 10_000;

  private final Logger log;
  private long windowStart;
  private boolean started;
  private int logged;
  private long suppressed;

  WarningLog(Logger log) {
    this.log = log;
  }

  /** Logs {@code warning}, unless this window's budget is spent (then counts it). */
  void warn(String warning, long nowMillis) {
    long before;
    synchronized (this) {
      if (!started || nowMillis - windowStart >= WINDOW_MILLIS) {
        started = true;
        windowStart = nowMillis;
        logged = 0;
      }
      if (logged >= PER_WINDOW) {
        suppressed++;
        return;
      }
      logged++;
      before = suppressed;
      suppressed = 0;
    }
    if (before > 0) {
      log.warn("{} more warnings were not logged (at most {} in {} s; status() keeps the latest)", before,
          PER_WINDOW, WINDOW_MILLIS / 1000);
    }
    log.warn(warning);
  }
}
