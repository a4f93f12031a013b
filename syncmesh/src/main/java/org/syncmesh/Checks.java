package org.syncmesh;

import org.jspecify.annotations.Nullable;

/**
 * The argument checks of this package's values, with wire's message form {@code "name: value (expected: ...)"}.
 * A package-private subset of {@code org.syncmesh.wire.Checks}: this package sits below wire and depends on nothing
 * of syncmesh, so it keeps its own few lines rather than exporting a helper as API.
 *
 * <p>Stateless and thread-safe.
 */
final class Checks {
  private Checks() {}

  static <T> T notNull(@Nullable T value, String name) {
    if (value == null) {
      throw new NullPointerException(name + ": null (expected: non-null)");
    }
    return value;
  }

  static void argument(boolean condition, String name, @Nullable Object value, String expectation) {
    if (!condition) {
      throw new IllegalArgumentException(describeFailure(name, value, expectation));
    }
  }

  static long inRange(long value, long min, long max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(describeFailure(name, value, "in [" + min + ", " + max + "]"));
    }
    return value;
  }

  static void fromIndexSize(int offset, int length, int arrayLength) {
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
