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
 * version or throws {@link MessageShapeException}, and a version round-trips through its bytes;
 * {@link TreeMessage#read} (docs/extension-v2.md, extension-v3.md) likewise.
 *
 * <p>{@code mvn verify} runs them as regression tests on the files in
 * {@code src/test/resources/org/syncmesh/wire/ExtensionFuzzTestInputs/<method>/} (the golden
 * vectors of extension-v1-vectors.json to extension-v3-vectors.json, and any finding committed
 * since). To fuzz one:
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

  /**
   * {@link TreeMessage#read} on a payload as a peer could send it returns a message or throws
   * {@link MessageShapeException}; what it returns encodes to a payload that reads back equal.
   */
  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void treeMessage(byte[] msgpack) {
    Object value = decoded(msgpack);
    if (!(value instanceof List<?> payload)) {
      return;
    }
    TreeMessage m = WireChecks.decodes(WireChecks.msgpackBudget(msgpack.length), () -> TreeMessage.read(payload),
        MessageShapeException.class);
    if (m != null) {
      Object again = Packets.decode(Packets.encode(m.toPayload()));
      assertThat(TreeMessage.read((List<?>) again)).isEqualTo(m);
      if (m instanceof TreeMessage.Prune || m instanceof TreeMessage.Orphaned) {
        List<String> origins =
            m instanceof TreeMessage.Prune p ? p.origins() : ((TreeMessage.Orphaned) m).origins();
        assertThat(origins).isNotEmpty().hasSizeLessThanOrEqualTo(TreeMessage.MAX_IDS).allMatch(TreeMessage::fitsOrigin);
      } else {
        List<org.syncmesh.Bytes> ids = m instanceof TreeMessage.Announce a ? a.ids() : ((TreeMessage.Graft) m).ids();
        assertThat(ids).hasSizeLessThanOrEqualTo(TreeMessage.MAX_IDS).allMatch(id -> id.size() == TreeMessage.ID_BYTES);
      }
    }
  }

  /** The decoded value, or null for bytes that are no msgpack (the reader has its own fuzz test). */
  private static @Nullable Object decoded(byte[] msgpack) {
    List<Object> holder = WireChecks.decodes(WireChecks.msgpackBudget(msgpack.length),
        () -> Collections.singletonList(Packets.decode(msgpack)), MalformedMsgpackException.class);
    return holder == null ? null : holder.get(0);
  }
}
