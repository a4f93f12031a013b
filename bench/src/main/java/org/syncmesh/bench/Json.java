package org.syncmesh.bench;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;

/**
 * The bench's JSON, on jackson-core's streaming API (the project's one JSON library; no databind).
 * {@link #parse} reads the first JSON value of a text into plain values: object → insertion-ordered
 * Map, array → List, number → the {@link Number} jackson-core reads, string, Boolean, null.
 * {@link #write} writes such values, and long[], as compact JSON. The accessors read a reply as
 * leniently as a tree would: a member that is absent or of another type reads as 0, "" or an empty
 * list. Stateless and thread-safe.
 */
final class Json {
  /**
   * Writes as the line protocol does, whatever jackson's defaults: {@code /} unescaped and Java's
   * {@link Double#toString}; a generator never closes the stream it writes to (LineNode streams
   * replies to standard output).
   */
  static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
      .disable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .build();

  private Json() {}

  /** The first JSON value of {@code text}; malformed JSON is an IOException, as a reply that cannot be read. */
  static Object parse(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
      if (p.nextToken() == null) {
        throw new IOException("no JSON value");
      }
      return value(p);
    } catch (JacksonException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static Object value(JsonParser p) {
    return switch (p.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name = p.nextName(); name != null; name = p.nextName()) {
          p.nextToken();
          map.put(name, value(p));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          list.add(value(p));
        }
        yield list;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_STRING -> p.getString();
      case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
      default -> null;
    };
  }

  static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
      write(g, value);
    }
    return out.toString();
  }

  /** Map, List, long[], null, String, Boolean or a JDK number (as jackson 2's codec-less writeObject took). */
  static void write(JsonGenerator g, Object value) {
    if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        write(g, item);
      }
      g.writeEndArray();
    } else if (value instanceof long[] longs) {
      g.writeArray(longs, 0, longs.length);
    } else if (value == null) {
      g.writeNull();
    } else if (value instanceof String str) {
      g.writeString(str);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      g.writeNumber(big);
    } else if (value instanceof BigDecimal dec) {
      g.writeNumber(dec);
    } else if (value instanceof Double d) {
      g.writeNumber(d.doubleValue());
    } else if (value instanceof Float f) {
      g.writeNumber(f.floatValue());
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  /** The member {@code name} of an object, or null. */
  static Object member(Object object, String name) {
    return object instanceof Map<?, ?> map ? map.get(name) : null;
  }

  static List<?> list(Object value) {
    return value instanceof List<?> list ? list : List.of();
  }

  static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }

  static long number(Object object, String name) {
    return number(member(object, name));
  }

  static String text(Object object, String name) {
    Object value = member(object, name);
    return value == null ? "" : value.toString();
  }
}
