package org.syncmesh.sync;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Bytes;
import org.syncmesh.wire.Checks;
import org.syncmesh.wire.Packets;

/**
 * Keys of the dictionary: the user's String (UTF-8), byte[] or Bytes, and a peer's str or bin,
 * all normalised to {@link Bytes} (docs/protocol-0.7.md §10.1, §10.8). Stateless and thread-safe.
 */
final class Keys {

  /**
   * Property names of JavaScript's {@code Object.prototype}. A store or delta with such a key
   * makes js2p throw and drop the link on every js2p hop (interop FINDINGS #12).
   */
  static final Set<Bytes> JS2P_UNSAFE = utf8Set("constructor", "__proto__", "toString", "hasOwnProperty",
      "valueOf", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "__defineGetter__",
      "__defineSetter__", "__lookupGetter__", "__lookupSetter__");

  private static final Bytes TO_STRING = Bytes.utf8("toString");
  private static final Bytes PROTO = Bytes.utf8("__proto__");

  private Keys() {}

  // A loop, not a stream: this runs at a node's first received key, where a stream's collectors
  // cost a fresh JVM some 5 ms of classes spun at run time.
  private static Set<Bytes> utf8Set(String... names) {
    Bytes[] keys = new Bytes[names.length];
    for (int i = 0; i < names.length; i++) {
      keys[i] = Bytes.utf8(names[i]);
    }
    return Set.of(keys);
  }

  /**
   * A user's key as bytes.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws IllegalArgumentException if it is not a String, byte[] or Bytes, or a String that is
   *     not valid UTF-16 (an unpaired surrogate has no UTF-8 form)
   */
  static Bytes of(@Nullable Object key) {
    Checks.notNull(key, "key");
    if (key instanceof Bytes b) {
      return b;
    } else if (key instanceof byte[] a) {
      return Bytes.of(a);
    } else if (key instanceof String s) {
      Packets.requireEncodable(s); // rejects unpaired surrogates, naming them
      return Bytes.utf8(s);
    }
    throw new IllegalArgumentException("key: " + key.getClass().getName()
        + " (expected: String, byte[] or Bytes)");
  }

  /** A peer's key (str or bin) as bytes, or null if it is neither. */
  static @Nullable Bytes fromWire(@Nullable Object key) {
    if (key instanceof Bytes b) {
      return b;
    } else if (key instanceof String s) {
      return Bytes.utf8(s);
    }
    return null;
  }

  /** For messages: the key as quoted text when it is valid UTF-8, else as hex. */
  static String render(Bytes key) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(key.asReadOnlyByteBuffer()).toString();
      return '"' + (text.length() > 100 ? text.substring(0, 100) + "…" : text) + '"';
    } catch (CharacterCodingException e) {
      return "0x" + key.hex();
    }
  }

  /**
   * Whether a js2p node would crash on a store or delta of {@code value} at {@code key}: a key
   * that names an {@code Object.prototype} member, a nil store (js2p calls
   * {@code value.toString()} and cannot delete, §10.7), or a map value whose own
   * {@code toString} or {@code __proto__} would replace that method.
   */
  static boolean crashesJs2p(@Nullable Object key, boolean store, @Nullable Object value) {
    Bytes k = fromWire(key);
    if (k != null && JS2P_UNSAFE.contains(k)) {
      return true;
    }
    if (!store) {
      return false;
    }
    if (value == null) {
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      for (Object name : map.keySet()) {
        Bytes n = fromWire(name);
        if (TO_STRING.equals(n) || PROTO.equals(n)) {
          return true;
        }
      }
    }
    return false;
  }
}
