package org.syncmesh.sync;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/** Roughly how many bytes a value takes in msgpack, without encoding it: for sizing batches. Thread-safe. */
final class SizeEstimate {

  private SizeEstimate() {}

  static long of(@Nullable Object v) {
    if (v instanceof Bytes b) {
      return b.size() + 5L;
    } else if (v instanceof String s) {
      return s.length() * 3L + 5;
    } else if (v instanceof byte[] b) {
      return b.length + 5L;
    } else if (v instanceof Map<?, ?> m) {
      long n = 5;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += of(e.getKey()) + of(e.getValue());
      }
      return n;
    } else if (v instanceof List<?> l) {
      long n = 5;
      for (Object o : l) {
        n += of(o);
      }
      return n;
    }
    return 9;
  }
}
