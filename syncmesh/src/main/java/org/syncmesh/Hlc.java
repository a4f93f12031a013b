package org.syncmesh;

import java.time.Instant;

/**
 * The hybrid logical clock value of a {@link Version} (Kulkarni et al. 2014), packed in a long:
 * physical milliseconds since the Unix epoch in the upper 48 bits, a logical counter in the lower
 * 16. Packed values order as (milliseconds, counter) pairs do, and adding one to a value whose
 * counter is full moves to the next millisecond with counter 0: the clock's overflow rule.
 *
 * <p>A valid value is a non-negative long, so the milliseconds stay below 2^47 (the year 6429)
 * and signed comparison is the order.
 *
 * <p>Static pure functions; thread-safe.
 */
public final class Hlc {
  /** Bits of the logical counter. */
  public static final int COUNTER_BITS = 16;
  /** The largest counter. */
  public static final int MAX_COUNTER = (1 << COUNTER_BITS) - 1;
  /** The largest physical time a valid value holds, in milliseconds since the epoch. */
  public static final long MAX_MILLIS = Long.MAX_VALUE >>> COUNTER_BITS;

  private Hlc() {}

  /**
   * The value of {@code millis} and {@code counter}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= millis <= MAX_MILLIS} and {@code 0 <= counter <= MAX_COUNTER}
   */
  public static long of(long millis, int counter) {
    Checks.inRange(millis, 0, MAX_MILLIS, "millis");
    Checks.inRange(counter, 0, MAX_COUNTER, "counter");
    return millis << COUNTER_BITS | counter;
  }

  /** The physical part of {@code hlc}, in milliseconds since the epoch. */
  public static long millis(long hlc) {
    return hlc >>> COUNTER_BITS;
  }

  /** The logical counter of {@code hlc}. */
  public static int counter(long hlc) {
    return (int) (hlc & MAX_COUNTER);
  }

  /** {@code hlc} for people: {@code 2023-11-14T22:13:20Z+3}, the instant and the counter. */
  public static String format(long hlc) {
    return Instant.ofEpochMilli(millis(hlc)) + "+" + counter(hlc);
  }
}
