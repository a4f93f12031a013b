package org.syncmesh.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.syncmesh.Bytes;
import org.syncmesh.testing.Json;

/**
 * Loads the golden vectors, {@code protocol/vectors.json} on the test classpath (kept in
 * {@code src/test/resources}, described in docs/protocol-0.7.md §12), and converts its typed values.
 */
final class Vectors {
  /** Classpath location of the vectors, from the test resources root. */
  static final String RESOURCE = "/protocol/vectors.json";

  private Vectors() {}

  static Map<String, Object> load() {
    return load(RESOURCE);
  }

  /** The JSON vectors at classpath location {@code resource} (under src/test/resources). */
  static Map<String, Object> load(String resource) {
    try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError("golden vectors missing: no " + resource + " on the test classpath"
            + " (expected at src/test/resources" + resource + ")");
      }
      return map(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new AssertionError("cannot read golden vectors " + resource, e);
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
