package org.syncmesh.sync;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Checks;

/**
 * The built-in {@link Codec}s: text, byte strings, integers, JSON documents and the untyped msgpack
 * tree. Each is a stateless singleton, thread-safe.
 *
 * <pre>{@code
 * SyncMap<String, String> names = socket.map(Codecs.string(), Codecs.string());
 * SyncMap<String, Long> counts = socket.map(Codecs.string(), Codecs.longs());
 * }</pre>
 */
public final class Codecs {

  private Codecs() {}

  /**
   * Text: stored as a msgpack str. Decodes a str, or a bin of valid UTF-8 (how every key arrives,
   * and how some peers send text); anything else is refused.
   */
  public static Codec<String> string() {
    return STRING;
  }

  /** Byte strings as arrays: stored as a msgpack bin (a copy); decodes a bin to a fresh array. */
  public static Codec<byte[]> byteArray() {
    return BYTE_ARRAY;
  }

  /** Byte strings as immutable {@link Bytes}: stored as a msgpack bin; decodes a bin. */
  public static Codec<Bytes> bytes() {
    return BYTES;
  }

  /** 64-bit integers: stored as a msgpack int; decodes an int (never a float or a str). */
  public static Codec<Long> longs() {
    return LONGS;
  }

  /** 32-bit integers: stored as a msgpack int; decodes an int within the range of {@code int}. */
  public static Codec<Integer> integers() {
    return INTEGERS;
  }

  /**
   * JSON documents, as text: a value is stored as the msgpack tree its JSON denotes (an object as
   * a map, an array as a list, a number as an int or a float64, {@code {"$bin": "<base64>"}} as a
   * bin), so js2p and py2p peers, and the node command, read a structured value; it decodes back
   * to compact JSON text ({@code {"a":[1,2.5]}}), whatever peer wrote the tree. JSON {@code null}
   * is refused (a null value deletes). Strict RFC 8259 (no comments, no duplicate keys), nesting
   * up to 512 levels; the same mapping as the node command's line protocol
   * (docs/node-line-protocol.md).
   *
   * @throws IllegalStateException if jackson-core ({@code tools.jackson.core:jackson-core} 3.x), an
   *     optional dependency of the library, is not on the class path
   */
  public static Codec<String> json() {
    if (!JSON_PRESENT) {
      throw new IllegalStateException("Codecs.json() needs jackson-core (tools.jackson.core:jackson-core 3.x), "
          + "an optional dependency of syncmesh: add it to your build");
    }
    return JsonCodec.INSTANCE;
  }

  private static final boolean JSON_PRESENT = present("tools.jackson.core.json.JsonFactory");

  private static boolean present(String className) {
    try {
      Class.forName(className, false, Codecs.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Apart, so that jackson-core is loaded only by {@link #json()}. */
  private static final class JsonCodec extends Builtin<String> {
    static final JsonCodec INSTANCE = new JsonCodec();

    JsonCodec() {
      super("json");
    }

    @Override
    public Object encode(String value) {
      Object tree = org.syncmesh.json.JsonValues.toWire(org.syncmesh.json.Json.parse(Checks.notNull(value, "value")));
      if (tree == null) {
        throw new IllegalArgumentException("JSON null cannot be stored (a null value deletes the key)");
      }
      return tree;
    }

    @Override
    public String decode(Object stored) {
      return org.syncmesh.json.Json.write(org.syncmesh.json.JsonValues.toJson(stored));
    }
  }

  /**
   * The msgpack tree as {@link SyncSocket} stores it, untyped: encodes whatever the socket takes and
   * decodes to the wire layer's form (Long for integers, Bytes for byte strings, unmodifiable List and
   * Map), so {@code 1} reads back as {@code 1L}. Decodes everything; as a key codec, keys are Bytes.
   */
  public static Codec<Object> msgpack() {
    return MSGPACK;
  }

  private static final Codec<String> STRING = new Builtin<>("string") {
    @Override
    public Object encode(String value) {
      return Checks.notNull(value, "value");
    }

    @Override
    public String decode(Object stored) {
      if (stored instanceof String s) {
        return s;
      }
      if (stored instanceof Bytes b) {
        try {
          return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b.asReadOnlyByteBuffer()).toString();
        } catch (CharacterCodingException e) {
          throw new IllegalArgumentException("a bin of " + b.size() + " bytes that is not valid UTF-8"
              + " (expected: a str, or a bin of valid UTF-8)", e);
        }
      }
      throw refused(stored, "a str, or a bin of valid UTF-8");
    }
  };

  private static final Codec<byte[]> BYTE_ARRAY = new Builtin<>("byteArray") {
    @Override
    public Object encode(byte[] value) {
      return Bytes.of(Checks.notNull(value, "value"));
    }

    @Override
    public byte[] decode(Object stored) {
      if (stored instanceof Bytes b) {
        return b.toByteArray();
      }
      throw refused(stored, "a bin");
    }
  };

  private static final Codec<Bytes> BYTES = new Builtin<>("bytes") {
    @Override
    public Object encode(Bytes value) {
      return Checks.notNull(value, "value");
    }

    @Override
    public Bytes decode(Object stored) {
      if (stored instanceof Bytes b) {
        return b;
      }
      throw refused(stored, "a bin");
    }
  };

  private static final Codec<Long> LONGS = new Builtin<>("longs") {
    @Override
    public Object encode(Long value) {
      return Checks.notNull(value, "value");
    }

    @Override
    public Long decode(Object stored) {
      if (stored instanceof Long l) {
        return l;
      }
      throw refused(stored, "an int");
    }
  };

  private static final Codec<Integer> INTEGERS = new Builtin<>("integers") {
    @Override
    public Object encode(Integer value) {
      return Checks.notNull(value, "value");
    }

    @Override
    public Integer decode(Object stored) {
      if (stored instanceof Long l && l == l.intValue()) {
        return l.intValue();
      }
      throw refused(stored, "an int from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE);
    }
  };

  private static final Codec<Object> MSGPACK = new Builtin<>("msgpack") {
    @Override
    public Object encode(Object value) {
      return Checks.notNull(value, "value");
    }

    @Override
    public Object decode(Object stored) {
      return stored;
    }
  };

  private static IllegalArgumentException refused(Object stored, String expected) {
    String what = stored instanceof Bytes b ? "a bin of " + b.size() + " bytes"
        : stored instanceof String ? "a str" : "a " + stored.getClass().getSimpleName();
    return new IllegalArgumentException(what + " (expected: " + expected + ")");
  }

  /** A named built-in. */
  private abstract static class Builtin<T> implements Codec<T> {
    private final String name;

    Builtin(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String toString() {
      return "Codecs." + name + "()";
    }
  }
}
