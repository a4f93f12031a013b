package org.syncmesh.wire;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.syncmesh.Version;

/**
 * Decoding of {@link Version} from msgpack: the array {@code [hlc, writer]} of docs/extension-v1.md.
 *
 * <p>Stateless and thread-safe.
 */
public final class Versions {
  private Versions() {}

  /**
   * The version in a decoded msgpack value.
   *
   * @throws MessageShapeException unless {@code packet} is a two-element array of an integer in
   *     [0, 2^63) and a str of 1–255 UTF-8 bytes
   */
  public static Version fromPacket(@Nullable Object packet) {
    if (!(packet instanceof List<?> l) || l.size() != 2) {
      throw new MessageShapeException("a version is [hlc, writer], not " + Packets.describe(packet));
    }
    if (!(l.get(0) instanceof Long hlc) || hlc < 0) {
      throw new MessageShapeException("version hlc: expected an integer in [0, 2^63), got " + Packets.describe(l.get(0)));
    }
    if (!(l.get(1) instanceof String writer)) {
      throw new MessageShapeException("version writer: expected str, got " + Packets.describe(l.get(1)));
    }
    int bytes = Version.utf8Length(writer);
    if (bytes < 1 || bytes > Version.MAX_WRITER_BYTES) {
      throw new MessageShapeException("version writer: expected 1 to " + Version.MAX_WRITER_BYTES + " bytes, got " + bytes);
    }
    return new Version(hlc, writer);
  }
}
