package org.syncmesh.sync;

import java.util.function.Function;
import org.syncmesh.wire.Checks;

/**
 * Turns a Java type into what a {@link SyncSocket} stores, and back: the keys and values of a
 * typed {@link SyncMap}. The built-ins are in {@link Codecs}; {@link #of} makes one from two functions.
 *
 * <p>{@link #encode} returns a value the socket can store: for values, one of those
 * {@link SyncSocket#set} takes (Boolean, integers, Float, Double, String, {@link org.syncmesh.Bytes}
 * or byte[], List, Map, never null); for keys, a String, byte[] or Bytes. {@link #decode} gets what
 * the socket holds, in the wire layer's decoded form (Long for integers, Bytes for byte strings,
 * unmodifiable List and Map); keys always arrive as Bytes. For every value {@code v},
 * {@code decode(encode(v))} after a trip through msgpack must equal {@code v} (for arrays, by content).
 *
 * <p>Implementations must be thread-safe, fast and free of side effects: they run on callers'
 * threads, on the socket's callback executor (events) and, when an async write is retried, on the
 * common fork-join pool; never inside a step of the node's writer.
 *
 * @param <T> the Java type
 */
public interface Codec<T> {

  /**
   * What the socket stores for {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} has no stored form
   */
  Object encode(T value);

  /**
   * The value {@code stored} holds.
   *
   * @throws RuntimeException (preferably IllegalArgumentException, saying what was expected) if
   *     {@code stored} is not this codec's form, such as an entry another program wrote
   */
  T decode(Object stored);

  /** A short name for error messages, such as {@code "string"}. */
  String name();

  /**
   * A codec named {@code name} made of two functions, with the promises of the interface.
   *
   * <pre>{@code Codec<Instant> instants = Codec.of("instant", i -> i.toString(), s -> Instant.parse((String) s));}</pre>
   */
  static <T> Codec<T> of(String name, Function<? super T, ?> encoder, Function<Object, ? extends T> decoder) {
    Checks.notEmpty(name, "name");
    Checks.notNull(encoder, "encoder");
    Checks.notNull(decoder, "decoder");
    return new Codec<>() {
      @Override
      public Object encode(T value) {
        return encoder.apply(value);
      }

      @Override
      public T decode(Object stored) {
        return decoder.apply(stored);
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public String toString() {
        return "Codec{" + name + "}";
      }
    };
  }
}
