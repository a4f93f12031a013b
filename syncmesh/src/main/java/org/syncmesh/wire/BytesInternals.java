package org.syncmesh.wire;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.syncmesh.Bytes;

/**
 * wire's no-copy access to {@link Bytes}: wrapping an array it owns and reading the backing array. {@code Bytes}
 * lives in the API package {@code org.syncmesh}, which depends on nothing of syncmesh, so these stay package-private
 * there (not API) and are reached through method handles; the JIT inlines constant handles, so a decoder pays no more
 * than a direct call. Within the module (or on the class path) a private lookup needs no {@code opens}.
 *
 * <p>Callers promise never to modify an array they hand over or get. Stateless and thread-safe.
 */
public final class BytesInternals {
  private static final MethodHandle TRUSTED;
  private static final MethodHandle ARRAY;
  private static final MethodHandle HEX;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Bytes.class, MethodHandles.lookup());
      TRUSTED = lookup.findStatic(Bytes.class, "trusted", MethodType.methodType(Bytes.class, byte[].class));
      ARRAY = lookup.findVirtual(Bytes.class, "internalArray", MethodType.methodType(byte[].class));
      HEX = lookup.findStatic(Bytes.class, "hex",
          MethodType.methodType(String.class, byte[].class, int.class, int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private BytesInternals() {}

  /** {@code data} as Bytes without a copy; the caller never modifies {@code data} afterwards. */
  public static Bytes trusted(byte[] data) {
    try {
      return (Bytes) TRUSTED.invokeExact(data);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** The backing array of {@code bytes}, not a copy; the caller never modifies it. */
  public static byte[] array(Bytes bytes) {
    try {
      return (byte[]) ARRAY.invokeExact(bytes);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Lowercase hex of {@code bytes[offset, offset + length)}. */
  public static String hex(byte[] bytes, int offset, int length) {
    try {
      return (String) HEX.invokeExact(bytes, offset, length);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }
}
