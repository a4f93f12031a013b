package org.syncmesh.wire;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/** Short, bounded renderings of packet values for error messages and logs ({@link Packets#describe}). */
final class Describer {
  static final int LIMIT = 200;
  private static final int STRING_PREVIEW = 40;
  private static final int BYTES_PREVIEW = 16;

  private Describer() {}

  /** Renders a map key as it appears in an error path: {@code "a"}, {@code 1}, {@code b'6b6579'}. */
  static String key(@Nullable Object key) {
    StringBuilder sb = new StringBuilder();
    append(sb, key, Packets.MAX_DEPTH - 1); // keys are rendered flat
    return sb.length() > 60 ? sb.substring(0, 60) + "…" : sb.toString();
  }

  static void append(StringBuilder sb, @Nullable Object v, int depth) {
    if (sb.length() > LIMIT) {
      return;
    }
    if (v == null) {
      sb.append("nil");
    } else if (v instanceof String s) {
      sb.append('"');
      sb.append(s, 0, Math.min(s.length(), STRING_PREVIEW));
      sb.append(s.length() > STRING_PREVIEW ? "…\"" : "\"");
    } else if (v instanceof Bytes b) {
      appendBytes(sb, BytesInternals.array(b));
    } else if (v instanceof byte[] a) {
      appendBytes(sb, a);
    } else if (v instanceof List<?> list) {
      appendAll(sb, list.toArray(), depth);
    } else if (v instanceof Object[] array) {
      appendAll(sb, array, depth);
    } else if (v instanceof Map<?, ?> map) {
      if (depth >= Packets.MAX_DEPTH - 1) {
        sb.append("{…}");
        return;
      }
      sb.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (sb.length() > LIMIT) {
          break;
        }
        sb.append(sep);
        append(sb, e.getKey(), depth + 1);
        sb.append(": ");
        append(sb, e.getValue(), depth + 1);
        sep = ", ";
      }
      sb.append('}');
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else {
      sb.append('<').append(v.getClass().getName()).append('>');
    }
  }

  private static void appendAll(StringBuilder sb, Object[] items, int depth) {
    if (depth >= Packets.MAX_DEPTH - 1) {
      sb.append("[…]");
      return;
    }
    sb.append('[');
    for (int i = 0; i < items.length && sb.length() <= LIMIT; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      append(sb, items[i], depth + 1);
    }
    sb.append(']');
  }

  private static void appendBytes(StringBuilder sb, byte[] a) {
    int n = Math.min(a.length, BYTES_PREVIEW);
    sb.append("b'").append(BytesInternals.hex(a, 0, n)).append(a.length > n ? "…'" : "'");
  }
}
