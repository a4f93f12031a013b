package org.syncmesh.wire;

import org.syncmesh.Bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.syncmesh.testing.Allocations;

/**
 * What a decoded msgpack tree costs on the heap, per byte of input, for the shapes that cost the most: a 1 MiB array
 * of one small element repeated. The fuzz tests check every input against the same linear budget
 * ({@link WireChecks#msgpackBudget}); this pins the worst shapes at a size the fuzzer does not reach.
 */
final class DecodeAllocationTest {
  private static final int INPUT_BYTES = 1 << 20;

  @ParameterizedTest(name = "array of {0}")
  @ValueSource(strings = {
      "80", // {}: shared, a reference each (it cost 92 bytes per input byte before)
      "90", // []
      "a0", // ""
      "c400", // b''
      "810000", // {0: 0}
      "8190c0", // {[]: nil}
      "9100", // [0]
      "a141", // "A"
      "ccff", // 255, a Long outside the cache
      "cb3ff0000000000000"}) // 1.0
  void decodedTreeStaysWithinTheLinearBudget(String elementHex) {
    byte[] msgpack = arrayOf(Bytes.fromHex(elementHex).toByteArray());
    Packets.decode(msgpack); // loads the classes of this path
    long before = Allocations.ofCurrentThread();
    Object decoded = Packets.decode(msgpack);
    long allocated = Allocations.ofCurrentThread() - before;
    assertThat((List<?>) decoded).hasSize((msgpack.length - 5) / (elementHex.length() / 2));
    assertThat(allocated).as("bytes allocated decoding %d bytes", msgpack.length)
        .isLessThanOrEqualTo(WireChecks.msgpackBudget(msgpack.length));
  }

  /** An array32 of {@code element} repeated to fill about 1 MiB. */
  private static byte[] arrayOf(byte[] element) {
    return arrayOf(INPUT_BYTES / element.length, element);
  }

  /** An array32 (msgpack {@code dd}) of {@code n} copies of the encoded {@code element}. */
  static byte[] arrayOf(int n, byte[] element) {
    byte[] b = new byte[5 + n * element.length];
    b[0] = (byte) 0xdd;
    b[1] = (byte) (n >>> 24);
    b[2] = (byte) (n >>> 16);
    b[3] = (byte) (n >>> 8);
    b[4] = (byte) n;
    for (int i = 0; i < n; i++) {
      System.arraycopy(element, 0, b, 5 + i * element.length, element.length);
    }
    return b;
  }
}
