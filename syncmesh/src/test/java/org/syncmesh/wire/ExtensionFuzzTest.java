package org.syncmesh.wire;

import org.syncmesh.Compression;
import org.syncmesh.Version;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of the syncmesh extension's parsers (docs/extension-v1.md) on msgpack bytes as a peer
 * could send them: {@link ExtensionOffer#find} on a handshake's compression list never throws, and
 * what it finds is the first element that encodes to it; {@link Version#fromPacket} returns a
 * version or throws {@link MessageShapeException}, and a version round-trips through its bytes.
 *
 * <p>{@code mvn verify} runs them as regression tests on the files in
 * {@code src/test/resources/org/syncmesh/wire/ExtensionFuzzTestInputs/<method>/} (the golden
 * vectors of extension-v1-vectors.json, and any finding committed since). To fuzz one:
 *
 * <pre>JAZZER_FUZZ=1 mvn -B -pl syncmesh test -Dtest='ExtensionFuzzTest#compressionList' -Djazzer.max_duration=30s</pre>
 */
final class ExtensionFuzzTest {

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void compressionList(byte[] msgpack) {
    Object value = decoded(msgpack);
    if (!(value instanceof List<?> list)) {
      return;
    }
    Optional<ExtensionOffer> offer = ExtensionOffer.find(list);
    offer.ifPresent(o -> {
      Object first = list.stream().filter(e -> ExtensionOffer.fromId(e).isPresent()).findFirst().orElseThrow();
      assertThat(((Number) first).longValue()).isEqualTo(o.markerId());
    });
    for (Object id : list) { // only a method's own id names it: a marker never does
      for (Compression method : CompressionNegotiation.decodeOrder(List.of(id), List.of(Compression.values()))) {
        assertThat(((Number) id).longValue()).isEqualTo(method.id());
      }
    }
  }

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void version(byte[] msgpack) {
    Object value = decoded(msgpack);
    Version v = WireChecks.decodes(WireChecks.msgpackBudget(msgpack.length), () -> Versions.fromPacket(value),
        MessageShapeException.class);
    if (v != null) {
      assertThat(Versions.fromPacket(Packets.decode(Packets.encode(v.toPacket())))).isEqualTo(v);
      assertThat(v.compareTo(new Version(v.hlc(), v.writer()))).isZero();
    }
  }

  /** The decoded value, or null for bytes that are no msgpack (the reader has its own fuzz test). */
  private static @Nullable Object decoded(byte[] msgpack) {
    List<Object> holder = WireChecks.decodes(WireChecks.msgpackBudget(msgpack.length),
        () -> Collections.singletonList(Packets.decode(msgpack)), MalformedMsgpackException.class);
    return holder == null ? null : holder.get(0);
  }
}
