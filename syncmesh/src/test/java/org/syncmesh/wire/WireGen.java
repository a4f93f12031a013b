package org.syncmesh.wire;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.syncmesh.Bytes;
import org.syncmesh.testing.Gen;

/**
 * Generators of the {@link Packets} mapping and of messages, for property tests: every leaf type in the forms it
 * decodes to, so a value and its decoded copy are equal.
 */
final class WireGen {
  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final int MAX_DEPTH = 3;

  private WireGen() {}

  /** A tree up to three containers deep; the leaves vary from level to level. */
  static Object tree(Gen gen) {
    return tree(gen, gen.intBetween(0, MAX_DEPTH));
  }

  private static Object tree(Gen gen, int depth) {
    if (depth == 0 || gen.oneIn(5)) {
      return leaf(gen);
    }
    return gen.bool() ? gen.listOf(5, () -> tree(gen, depth - 1)) : map(gen, depth);
  }

  /** A map of up to 4 entries whose keys stay distinct in a Python dict (py2p drops the link on duplicates). */
  private static Map<Object, Object> map(Gen gen, int depth) {
    Map<Object, Object> map = new LinkedHashMap<>();
    Set<Object> pythonKeys = new HashSet<>();
    for (int n = gen.size(0, 4); n > 0; n--) {
      Object key = gen.oneOf(() -> gen.text(24), () -> Bytes.of(gen.bytes(0, 6)), () -> gen.longBetween(-5, 5),
          gen::bool);
      if (pythonKeys.add(PythonKey.of(key))) {
        map.put(key, tree(gen, depth - 1));
      }
    }
    return map;
  }

  /** nil, bool, an integer of any width (uint64 above 2^63 too), float32, float64, str or bin. */
  static Object leaf(Gen gen) {
    return gen.oneOf(
        () -> null,
        gen::bool,
        gen::anyLong,
        () -> gen.longBetween(-40, 300, -33, -32, 127, 128, 255, 256),
        () -> gen.bigIntegerBetween(TWO_63, UINT64_MAX),
        gen::anyFloat,
        gen::anyDouble,
        () -> gen.text(24),
        () -> Bytes.of(gen.bytes(0, 40)));
  }

  /** A message: any 7-bit main flag, a base58 sender as str (1–66 chars) or bin (0–66), up to 5 payload trees. */
  static InternalMessage message(Gen gen) {
    Object sender = gen.bool()
        ? gen.chars(Base58.ALPHABET, 1, 66)
        : Bytes.utf8(gen.chars(Base58.ALPHABET, 0, 66));
    List<Object> payload = gen.listOf(5, () -> tree(gen));
    return InternalMessage.create(gen.intBetween(0, 0x7f), sender, gen.longBetween(0, 1L << 40), payload);
  }
}
