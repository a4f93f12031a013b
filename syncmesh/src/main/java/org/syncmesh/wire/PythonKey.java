package org.syncmesh.wire;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maps an already-normalised msgpack map key to a value whose {@code equals} matches Python's dict key equality
 * after py2p decodes it: bool, int and float compare numerically ({@code True == 1 == 1.0}), str and bytes stay
 * distinct. py2p drops the link on a duplicate key (docs/protocol-0.7.md §2.1), so {@link Packets} refuses to emit one.
 */
final class PythonKey {
  private PythonKey() {}

  static @Nullable Object of(@Nullable Object key) {
    if (key instanceof Boolean b) {
      return b ? 1L : 0L;
    } else if (key instanceof Double || key instanceof Float) {
      double d = ((Number) key).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
        return (long) d; // an integral float equals the int of the same value, 0.0 == -0.0 included
      }
      if (d == Math.rint(d) && !Double.isInfinite(d)) {
        return new java.math.BigDecimal(d).toBigIntegerExact(); // integral and beyond long: compare as an integer
      }
      return d;
    } else if (key instanceof BigInteger big) {
      return big.bitLength() <= 63 ? (Object) big.longValue() : big;
    } else if (key instanceof List<?> list) {
      List<@Nullable Object> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(of(o));
      }
      return out;
    }
    return key; // Long, String, Bytes, null and maps compare as they are
  }
}
