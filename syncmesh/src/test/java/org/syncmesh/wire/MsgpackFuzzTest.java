package org.syncmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz test of the msgpack reader, {@link Packets#decode} over {@link MsgpackReader}: any input decodes or fails
 * with {@link MalformedMsgpackException}, within {@link WireChecks#msgpackBudget} and a time limit; msgpack-java
 * agrees; and what decodes encodes canonically to bytes that decode to an equal value.
 *
 * <p>{@code mvn verify} runs it as a regression test on the files in
 * {@code src/test/resources/org/syncmesh/wire/MsgpackFuzzTestInputs/packets/} (message bodies from the golden
 * vectors, written by {@link FuzzCorpusTest}, and any finding committed since). To fuzz it for two minutes, or as
 * long as {@code -Djazzer.max_duration} says:
 *
 * <pre>JAZZER_FUZZ=1 mvn -B -pl syncmesh test -Dtest=MsgpackFuzzTest -Djazzer.max_duration=30s</pre>
 */
final class MsgpackFuzzTest {

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void packets(byte[] msgpack) throws IOException {
    List<Object> decoded = WireChecks.decodes(WireChecks.msgpackBudget(msgpack.length),
        () -> Collections.singletonList(Packets.decode(msgpack)), // a list: nil decodes to null
        MalformedMsgpackException.class);
    WireChecks.assertReadersAgree(msgpack);
    if (decoded != null) {
      WireChecks.assertValueRoundTrips(decoded.get(0));
    }
    assertMessageSplitAgrees(msgpack, decoded == null ? null : decoded.get(0));
  }

  /** What a message's decoder reads (a header of 3 and the payload) is what {@link Packets#decode} reads. */
  private static void assertMessageSplitAgrees(byte[] msgpack, @Nullable Object decoded) {
    @Nullable Object[] head = new Object[3];
    List<@Nullable Object> rest;
    try {
      rest = Packets.decodeArrayAfter(msgpack, head);
    } catch (MalformedMsgpackException e) {
      assertThat(decoded).as("refused, as decode refused it").isNull();
      return;
    }
    if (decoded instanceof List<?> all && all.size() >= 3) {
      assertThat(head).containsExactly(all.get(0), all.get(1), all.get(2));
      assertThat(rest).isEqualTo(all.subList(3, all.size()));
    } else {
      assertThat(rest).isNull();
    }
  }
}
