package org.syncmesh.sync;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it; shared by every node of a test. Thread-safe. */
final class FakeClock extends Clock {
  private volatile long millis;

  FakeClock(long seconds) {
    this.millis = seconds * 1000;
  }

  long seconds() {
    return millis / 1000;
  }

  void advanceSeconds(long seconds) {
    millis += seconds * 1000;
  }

  /** Moves the clock by {@code millis}, back when negative. */
  void advanceMillis(long millis) {
    this.millis += millis;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
