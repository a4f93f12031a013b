package org.syncmesh.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's JSON, on jackson-core's streaming API (the project's one JSON library; no databind).
 * {@link #parse} reads the first JSON value of a text into plain values: object → insertion-ordered
 * Map, array → List, number → the {@link Number} jackson-core reads, string, Boolean, null.
 * {@link #write} writes such values, and long[], as compact JSON. The accessors read a reply as
 * leniently as a tree would: a member that is absent or of another type reads as 0, "" or an empty
 * list. Stateless and thread-safe.
 */
final class Json {
  static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  static Object parse(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() == null) {
        throw new IOException("no JSON value");
      }
      return value(p);
    }
  }

  private static Object value(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
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
      case VALUE_STRING -> p.getText();
      case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
      default -> null;
    };
  }

  static String write(Object value) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, value);
    }
    return out.toString();
  }

  /** Map, List, long[], or what {@link JsonGenerator#writeObject} takes without a codec: null, String, Number, Boolean. */
  static void write(JsonGenerator g, Object value) throws IOException {
    if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
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
    } else {
      g.writeObject(value);
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
