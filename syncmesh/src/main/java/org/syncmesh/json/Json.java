package org.syncmesh.json;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;

/**
 * Strict JSON (RFC 8259) for the node's line protocol, on jackson-core's streaming
 * {@link JsonParser} and {@link JsonGenerator}.
 *
 * <h2>Reading</h2>
 * {@link #parse} accepts exactly one JSON text, with optional JSON whitespace around it, and maps
 * it to:
 * <ul>
 *   <li>{@code null} → Java {@code null}; {@code true}/{@code false} → {@link Boolean};
 *   <li>a string → {@link String}; an unpaired surrogate in a string or key, escaped or not, is an
 *       error;
 *   <li>a number without fraction or exponent → {@link Long}, or {@link BigInteger} above
 *       {@code Long.MAX_VALUE} up to 2^64−1 (msgpack's uint64); beyond that range, either way,
 *       an error. Any other number → {@link Double}; one too large for a double is an error;
 *   <li>an array → {@link List}; an object → insertion-ordered {@link Map} with String keys, a
 *       duplicate key being an error (keys compare after escapes are decoded, so {@code "a"} and
 *       {@code "\}{@code u0061"} are the same key; the same key in two different objects is fine).
 * </ul>
 * Nesting deeper than {@link #MAX_DEPTH} is an error, so hostile input cannot exhaust the stack,
 * and a text longer than {@link #MAX_CHARS} is refused before it is parsed. Errors are
 * {@link JsonException}s that give the offset where there is one, and nothing else escapes: the
 * syntax errors' wording is jackson-core's (without the source location it appends to some).
 *
 * <h2>Writing</h2>
 * {@link #write} emits compact JSON (no spaces) for null, Boolean, any {@link Number}, String,
 * {@link List}, {@link Map} (keys via {@link String#valueOf}): {@code "}, {@code \}, control
 * characters and DEL are escaped, an unpaired surrogate is written as a {@code \}{@code u}
 * escape so the output stays valid UTF-8, and every other character is written as is. A NaN or
 * infinite {@link Float}/{@link Double} is written as {@code null}, as JavaScript's
 * {@code JSON.stringify} does, so a reply line stays valid JSON whatever a peer sent. Float and
 * Double are written in Java's shortest round-trip form ({@code 1.0}, {@code 1.0E-7}), so they
 * read back as floats.
 *
 * <p>Stateless and thread-safe.
 */
public final class Json {

  /** Deepest array/object nesting accepted by {@link #parse} and {@link #write}. */
  public static final int MAX_DEPTH = 512;

  /**
   * Longest text {@link #parse} reads, in chars: four times the default 16 MiB frame, room for
   * any value a frame can carry, as plain text or as base64 ({@code $bin}).
   */
  static final int MAX_CHARS = 64 * 1024 * 1024;

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** The "(… [Source: …])" that jackson appends to some reasons; see {@link #reason}. */
  private static final Pattern SOURCE_LOCATION = Pattern.compile("\\s*\\([^()\\[]*\\[Source: .*\\]\\)$");

  /**
   * Strings, names and numbers may be as long as the text: {@link #MAX_CHARS} bounds them all, and
   * a long integer is reported as outside msgpack's range without being converted. jackson's own
   * nesting limits (500 by default, reading and writing) sit one level above {@link #MAX_DEPTH}, so
   * {@link #checkDepth} and {@link #checkWriteDepth} are what refuse a deep value, in the line
   * protocol's words. Names are not canonicalized or interned: they are whatever the line's writer
   * chose. The features that shape the output are set here rather than left to jackson's defaults,
   * which have changed between versions: the line protocol's form is lower-case hex escapes,
   * {@code /} unescaped, a surrogate pair as one 4-byte UTF-8 character, and Java's
   * {@link Double#toString} for floats.
   */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength(MAX_CHARS).maxNameLength(MAX_CHARS).maxNumberLength(MAX_CHARS)
          .maxNestingDepth(MAX_DEPTH + 1).build())
      .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH + 1).build())
      .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
      .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
      .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
      .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
      .disable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .characterEscapes(new EscapeDel())
      .build();

  /** A malformed JSON text, or a value {@link #write} cannot express. */
  public static final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  private Json() {}

  // ---------------------------------------------------------------- reading

  /**
   * Parses one JSON text.
   *
   * @throws JsonException if {@code text} is not exactly one valid JSON value, naming the offset
   */
  public static @Nullable Object parse(String text) {
    if (text.length() > MAX_CHARS) {
      throw new JsonException("text of " + text.length() + " chars is longer than the limit of " + MAX_CHARS);
    }
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
      if (p.nextToken() == null) {
        throw error(p.currentLocation(), "empty input");
      }
      Object value = value(p, 0);
      if (p.nextToken() != null) {
        throw error(p.currentTokenLocation(), "unexpected text after the value");
      }
      return value;
    } catch (UnexpectedEndOfInputException e) {
      throw error(e.getLocation(), "unexpected end of input");
    } catch (JacksonException e) { // a syntax error; a String source has no I/O to fail
      throw error(e.getLocation(), reason(e));
    }
  }

  /** The value whose first token is the current one; {@code depth} containers enclose it. */
  private static @Nullable Object value(JsonParser p, int depth) {
    return switch (p.currentToken()) {
      case START_OBJECT -> object(p, checkDepth(p, depth + 1));
      case START_ARRAY -> array(p, checkDepth(p, depth + 1));
      case VALUE_STRING -> string(p);
      case VALUE_NUMBER_INT -> integer(p);
      case VALUE_NUMBER_FLOAT -> floating(p);
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null; // VALUE_NULL: the parser yields no other token where a value starts
    };
  }

  private static Map<String, @Nullable Object> object(JsonParser p, int depth) {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String key = string(p);
      if (map.containsKey(key)) {
        throw error(p.currentTokenLocation(), "duplicate key " + write(key));
      }
      p.nextToken();
      map.put(key, value(p, depth));
    }
    return map;
  }

  private static List<@Nullable Object> array(JsonParser p, int depth) {
    List<@Nullable Object> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(value(p, depth));
    }
    return list;
  }

  private static int checkDepth(JsonParser p, int depth) {
    if (depth > MAX_DEPTH) {
      throw error(p.currentTokenLocation(), "nested deeper than " + MAX_DEPTH + " levels");
    }
    return depth;
  }

  /** The current string or name; jackson decodes escapes but lets a lone surrogate through. */
  private static String string(JsonParser p) {
    String s = p.getString();
    OptionalInt lone = s.codePoints().filter(c -> Character.getType(c) == Character.SURROGATE).findFirst();
    if (lone.isPresent()) {
      throw error(p.currentTokenLocation(), "unpaired surrogate \\u" + Integer.toHexString(lone.getAsInt()));
    }
    return s;
  }

  /** Judged on the literal, so a long one is never converted. */
  private static Object integer(JsonParser p) {
    String literal = p.getString();
    if (literal.length() <= 21) { // a sign and 20 digits hold every msgpack integer
      BigInteger big = new BigInteger(literal);
      if (big.bitLength() < 64) {
        return big.longValue();
      }
      if (big.signum() > 0 && big.compareTo(UINT64_MAX) <= 0) {
        return big;
      }
    }
    throw error(p.currentTokenLocation(), "integer " + abbreviate(literal) + " is outside msgpack's range [-2^63, 2^64-1]");
  }

  private static Double floating(JsonParser p) {
    String literal = p.getString();
    double d = Double.parseDouble(literal);
    if (Double.isInfinite(d)) {
      throw error(p.currentTokenLocation(), "number " + abbreviate(literal) + " is too large for a float64");
    }
    return d;
  }

  /**
   * jackson's reason without the location it appends to a mismatched close marker ("for Array starting at
   * [Source: REDACTED …; byte offset: #UNKNOWN]"): it names no place, and the error gives the offset.
   */
  private static String reason(JacksonException e) {
    return SOURCE_LOCATION.matcher(e.getOriginalMessage()).replaceFirst("");
  }

  private static JsonException error(@Nullable TokenStreamLocation at, String what) {
    return new JsonException(at == null ? what : what + " at offset " + at.getCharOffset());
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code value} as compact JSON.
   *
   * @throws JsonException if a value (or a nested one) is not null, Boolean, Number, String,
   *     List or Map, or nesting passes {@link #MAX_DEPTH}
   */
  public static String write(@Nullable Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeTo(out, value); // a byte array does not fail
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code value} as compact JSON to {@code out} as it goes, in the form {@link #write(Object)}
   * gives: for a value too large to hold as text, such as a list whose elements are made as they are
   * read. {@code out} is flushed, not closed. Unlike {@link #write(Object)}, a failure leaves
   * {@code out} with what was written before it: give it only values known to write.
   *
   * @throws JsonException as {@link #write(Object)}
   * @throws UncheckedIOException if {@code out} fails
   */
  public static void writeTo(OutputStream out, @Nullable Object value) {
    OutputStream kept = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush(); // the generator closes its target; the caller's stream stays open
      }
    };
    try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), kept)) {
      write(g, value, 0);
    } catch (JacksonIOException e) {
      throw new UncheckedIOException(e.getCause());
    } catch (JacksonException e) { // not expected (the limits are above ours); still ours
      throw new JsonException("cannot write JSON: " + e.getOriginalMessage());
    }
  }

  private static void write(JsonGenerator g, @Nullable Object value, int depth) {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
      g.writeNull();
    } else if (value instanceof Double d) {
      g.writeNumber(d.doubleValue());
    } else if (value instanceof Float f) {
      g.writeNumber(f.floatValue()); // Float's own shortest form: 0.1, not 0.10000000149011612
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      g.writeNumber(big);
    } else if (value instanceof List<?> list) {
      int inner = checkWriteDepth(depth + 1);
      g.writeStartArray();
      for (Object item : list) {
        write(g, item, inner);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> map) {
      int inner = checkWriteDepth(depth + 1);
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeName(String.valueOf(e.getKey()));
        write(g, e.getValue(), inner);
      }
      g.writeEndObject();
    } else {
      throw new JsonException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static int checkWriteDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new JsonException("nested deeper than " + MAX_DEPTH + " levels");
    }
    return depth;
  }

  /** jackson's standard escapes, and DEL as {@code \}{@code u007f}, as the line protocol has always written it. */
  private static final class EscapeDel extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    EscapeDel() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public @Nullable SerializableString getEscapeSequence(int ch) {
      return null;
    }
  }
}
