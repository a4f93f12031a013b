package org.syncmesh.wire;

import org.syncmesh.testing.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads {@code protocol/vectors.json} from the shared folder named by the system property
 * {@code syncmesh.shared.dir} (set by surefire; falls back to {@code ../shared}), and converts its typed values.
 */
final class Vectors {
  private Vectors() {}

  static Map<String, Object> load() {
    String dir = System.getProperty("syncmesh.shared.dir", "../shared");
    Path file = Path.of(dir, "protocol", "vectors.json").toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new AssertionError("golden vectors missing: " + file
          + " (set -Dsyncmesh.shared.dir to the folder holding protocol/vectors.json)");
    }
    try {
      return map(Json.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new AssertionError("cannot read golden vectors " + file, e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** Converts a typed value such as {"str": "abc"} or {"bin_hex": "6b"} into the {@link Packets} mapping. */
  static Object typed(Object node) {
    Map<String, Object> m = map(node);
    if (m.size() != 1) {
      throw new AssertionError("typed value must have one key: " + m);
    }
    Map.Entry<String, Object> e = m.entrySet().iterator().next();
    Object v = e.getValue();
    switch (e.getKey()) {
      case "str": return v;
      case "bin_hex": return Bytes.fromHex((String) v);
      case "int": return v;
      case "float": return ((Number) v).doubleValue();
      case "nil": return null;
      case "bool": return v;
      case "array": {
        List<Object> out = new ArrayList<>();
        for (Object item : list(v)) {
          out.add(typed(item));
        }
        return out;
      }
      case "map": {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Object pair : list(v)) {
          out.put(typed(list(pair).get(0)), typed(list(pair).get(1)));
        }
        return out;
      }
      default: throw new AssertionError("unknown typed value " + e.getKey());
    }
  }
}
