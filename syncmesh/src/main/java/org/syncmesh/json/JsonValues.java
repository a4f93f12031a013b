package org.syncmesh.json;

import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;

/**
 * Converts between the wire layer's msgpack values (see {@code org.syncmesh.wire.Packets}) and
 * the JSON values of {@link Json}, as the node line protocol shows them.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>msgpack (Java)</th><th>JSON</th></tr>
 *   <tr><td>nil (null)</td><td>null</td></tr>
 *   <tr><td>bool (Boolean)</td><td>true / false</td></tr>
 *   <tr><td>int (Long, BigInteger)</td><td>number without fraction</td></tr>
 *   <tr><td>float32 / float64 (Float / Double)</td><td>number with a fraction or exponent
 *       (JSON input always gives float64); NaN and infinities are written as null</td></tr>
 *   <tr><td>str (String)</td><td>string</td></tr>
 *   <tr><td>bin (Bytes)</td><td>{@code {"$bin":"<base64>"}} (standard alphabet, padded)</td></tr>
 *   <tr><td>array (List)</td><td>array</td></tr>
 *   <tr><td>map (Map)</td><td>object</td></tr>
 * </table>
 *
 * <p>An object whose only member is {@code "$bin"} with a string value is read as bin; its text
 * must be valid base64. Any other object is a map with str keys.
 *
 * <p><b>Map keys</b> are strings in JSON but anything in msgpack. A str key is written as it
 * is; a bin key as its text when it is valid UTF-8 (js2p turns bin keys into text the same way),
 * else as {@code $bin:} followed by its base64; a nil, bool or number key as its JSON text
 * ({@code 1}, {@code true}); an array or map key as its JSON. Two keys that render alike keep
 * the later one. The same rule renders dictionary keys in {@code keys} and {@code items}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonValues {

  /** The member name that marks a bin value. */
  static final String BIN = "$bin";
  /** The prefix of a bin key that is not valid UTF-8. */
  static final String BIN_KEY_PREFIX = "$bin:";

  private JsonValues() {}

  /**
   * A JSON value (from {@link Json#parse}) as a value the wire layer encodes.
   *
   * @throws IllegalArgumentException if a {@code $bin} string is not valid base64
   */
  public static @Nullable Object toWire(@Nullable Object json) {
    if (json instanceof List<?> list) {
      List<@Nullable Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(toWire(item));
      }
      return out;
    }
    if (json instanceof Map<?, ?> map) {
      if (map.size() == 1 && map.get(BIN) instanceof String base64) {
        try {
          return Bytes.wrapOwned(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("$bin: not valid base64: " + e.getMessage(), e);
        }
      }
      Map<Object, @Nullable Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(e.getKey(), toWire(e.getValue()));
      }
      return out;
    }
    return json;
  }

  /**
   * A decoded msgpack value as a JSON value for {@link Json#write}.
   *
   * @throws IllegalArgumentException for a Java type outside the wire mapping
   */
  public static @Nullable Object toJson(@Nullable Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
        || value instanceof BigInteger || value instanceof Double || value instanceof Float
        || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return value;
    }
    if (value instanceof Bytes b) {
      return bin(b);
    }
    if (value instanceof byte[] a) {
      return bin(Bytes.of(a));
    }
    if (value instanceof List<?> list) {
      List<@Nullable Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(toJson(item));
      }
      return out;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, @Nullable Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(keyText(e.getKey()), toJson(e.getValue()));
      }
      return out;
    }
    throw new IllegalArgumentException("cannot show " + value.getClass().getName() + " as JSON");
  }

  /** {@code {"$bin": base64}}. */
  public static Map<String, Object> bin(Bytes bytes) {
    return Map.of(BIN, Base64.getEncoder().encodeToString(bytes.toByteArray()));
  }

  /** A map or dictionary key as JSON object-member text; see the class notes. */
  public static String keyText(@Nullable Object key) {
    if (key instanceof String s) {
      return s;
    }
    if (key instanceof Bytes b) {
      String text = strictUtf8(b);
      return text != null ? text : BIN_KEY_PREFIX + Base64.getEncoder().encodeToString(b.toByteArray());
    }
    return Json.write(toJson(key));
  }

  /** The bytes as text if they are valid UTF-8, else null. */
  public static @Nullable String strictUtf8(Bytes bytes) {
    if (isAscii(bytes)) {
      // Most keys: valid as they are, so the plain decode (no decoder made per call) reads them the
      // same (the web page's key listing reads every key of the dictionary this way).
      return bytes.utf8();
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.asReadOnlyByteBuffer()).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isAscii(Bytes bytes) {
    for (int i = 0, n = bytes.size(); i < n; i++) {
      if (bytes.byteAt(i) < 0) {
        return false;
      }
    }
    return true;
  }
}
