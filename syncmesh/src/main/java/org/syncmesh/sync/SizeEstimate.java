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

  /**
   * Close to the bytes {@code v} takes in msgpack: as {@link #of} but counting a string's UTF-8
   * bytes, not the most it could take, so that it sums to a size an operator can compare with memory
   * and disk (docs/metrics.md's {@code syncmesh.bytes.held}).
   */
  static long held(@Nullable Object v) {
    if (v instanceof String s) {
      return utf8Length(s) + 5L;
    } else if (v instanceof Map<?, ?> m) {
      long n = 5;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += held(e.getKey()) + held(e.getValue());
      }
      return n;
    } else if (v instanceof List<?> l) {
      long n = 5;
      for (Object o : l) {
        n += held(o);
      }
      return n;
    }
    return of(v);
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
