package org.syncmesh.wire;

import org.jspecify.annotations.Nullable;

/**
 * Argument checks that throw before any effect, with a message naming the argument, its value and what was
 * expected, in the form {@code "name: value (expected: ...)"}.
 *
 * <p>Stateless and thread-safe. Public because every layer validates its arguments the same way.
 */
public final class Checks {
  private Checks() {}

  /**
   * Returns {@code value}, or throws if it is null.
   *
   * @throws NullPointerException naming {@code name} if {@code value} is null
   */
  public static <T> T notNull(@Nullable T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + ": null (expected: non-null)");
    }
    return value;
  }

  /**
   * Throws {@code IllegalArgumentException("name: value (expected: expectation)")} unless {@code condition} holds.
   *
   * @throws IllegalArgumentException if {@code condition} is false
   */
  public static void argument(boolean condition, String name, @Nullable Object value, String expectation) {
    if (!condition) {
      throw new IllegalArgumentException(describeFailure(name, value, expectation));
    }
  }

  /**
   * Returns {@code value} if {@code min <= value <= max}.
   *
   * @throws IllegalArgumentException naming {@code name}, the value and the range otherwise
   */
  public static long inRange(long value, long min, long max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(describeFailure(name, value, "in [" + min + ", " + max + "]"));
    }
    return value;
  }

  /**
   * Returns {@code value} if {@code min <= value <= max}.
   *
   * @throws IllegalArgumentException naming {@code name}, the value and the range otherwise
   */
  public static int inRange(int value, int min, int max, String name) {
    return (int) inRange((long) value, min, max, name);
  }

  /**
   * Returns {@code value} if it is neither null nor empty.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException naming {@code name} if it is empty
   */
  public static String notEmpty(@Nullable String value, String name) {
    if (notNull(value, name).isEmpty()) {
      throw new IllegalArgumentException(describeFailure(name, "\"\"", "a non-empty string"));
    }
    return value;
  }

  /**
   * Returns {@code value} if it is greater than zero.
   *
   * @throws IllegalArgumentException naming {@code name} and the value otherwise
   */
  public static int positive(int value, String name) {
    argument(value > 0, name, value, "> 0");
    return value;
  }

  /**
   * Returns {@code value} if it is longer than zero.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException naming {@code name} and the value otherwise
   */
  public static java.time.Duration positive(java.time.@Nullable Duration value, String name) {
    argument(!notNull(value, name).isNegative() && !value.isZero(), name, value, "> 0");
    return value;
  }

  /**
   * Checks that {@code [offset, offset + length)} lies inside an array of {@code arrayLength} bytes.
   *
   * @throws IndexOutOfBoundsException naming the three numbers otherwise
   */
  public static void fromIndexSize(int offset, int length, int arrayLength) {
    if (offset < 0 || length < 0 || offset > arrayLength - length) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + ", length " + length + " (expected: a range inside an array of length " + arrayLength
              + ")");
    }
  }

  static String describeFailure(String name, @Nullable Object value, String expectation) {
    return name + ": " + value + " (expected: " + expectation + ")";
  }
}
