package org.syncmesh.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads JSON in tests (golden vectors, node line-protocol replies) with jackson-core's streaming parser: objects become
 * insertion-ordered maps, arrays lists, integers Long (BigInteger beyond its range), other numbers Double. JSON null is
 * {@link #NULL} from {@link #parse}, so maps can be queried without ambiguity, and Java null from
 * {@link #parseWithJavaNulls}. Malformed text throws {@link IllegalStateException}.
 */
public final class Json {
  /** Stands for JSON null, so maps can be queried without ambiguity. */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** Nesting up to 1,000 levels (jackson 2's limit; 3's is 500), so any reply of the node (up to 512) reads. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1000).build())
      .build();

  private Json() {}

  public static Object parse(String text) {
    return parse(text, NULL);
  }

  /** As {@link #parse}, with JSON null as Java null everywhere (for node replies). */
  public static Object parseWithJavaNulls(String text) {
    return parse(text, null);
  }

  private static Object parse(String text, Object nullValue) {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
      if (p.nextToken() == null) {
        throw new IllegalStateException("JSON: empty input");
      }
      Object value = value(p, nullValue);
      if (p.nextToken() != null) {
        throw new IllegalStateException("JSON: trailing characters at offset " + p.currentTokenLocation().getCharOffset());
      }
      return value;
    } catch (JacksonException e) {
      throw new IllegalStateException("JSON: " + e.getMessage(), e);
    }
  }

  private static Object value(JsonParser p, Object nullValue) {
    switch (p.currentToken()) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String key = p.currentName();
          p.nextToken();
          map.put(key, value(p, nullValue));
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p, nullValue));
        }
        return list;
      }
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_STRING:
        return p.getString();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return p.getBooleanValue();
      default:
        return nullValue;
    }
  }
}
