package org.syncmesh.wire;

/**
 * What a decoded msgpack value costs on the heap, estimated per element, and the most one message
 * may cost. Msgpack is dense: one input byte can stand for a whole empty container, so a frame
 * within the frame cap could decode to tens of times its size and exhaust the heap. Both decoders
 * count this cost as they go and refuse a message past {@link #MAX_BYTES}; the encoder counts the
 * same, so a node never sends what its peers would refuse. The estimates are deliberately simple
 * (a 64-bit JVM with compressed references) and on the high side.
 *
 * <p>Pure functions and constants; thread-safe.
 */
final class DecodedCost {

  /** The most a decoded message may cost: far above any useful value, far below a small node's heap. */
  static final long MAX_BYTES = 64L * 1024 * 1024;
  /** A boxed number or a reference in a container. */
  static final int NUMBER = 16;

  private DecodedCost() {}

  /** A list of {@code n} elements (the elements counted apart); an empty one is shared. */
  static long array(int n) {
    return n == 0 ? 0 : 48 + 4L * n;
  }

  /** A map of {@code n} entries (keys and values counted apart); an empty one is shared. */
  static long map(int n) {
    return n == 0 ? 0 : 64 + 40L * n;
  }

  /** A str or bin of {@code n} bytes. */
  static long bytes(int n) {
    return 40L + n;
  }

  /** The message for a value past {@link #MAX_BYTES}; it names the estimate, not the content. */
  static String tooLarge(long cost) {
    return "decoded value would take more than " + cost + " bytes of memory (estimated), over the limit of "
        + MAX_BYTES + " bytes per message";
  }
}
