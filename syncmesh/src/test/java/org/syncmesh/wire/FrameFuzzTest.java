package org.syncmesh.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.syncmesh.Compression;

/**
 * Fuzz tests of the frame decode path, {@link FrameCodec}: any input decodes or fails with one of the exceptions its
 * Javadoc lists, within a memory budget ({@link WireChecks#frameBudget}) and a time limit, and a decoded message
 * round-trips ({@link WireChecks#assertMessageRoundTrips}).
 *
 * <p>{@code mvn verify} runs them as regression tests on the files in
 * {@code src/test/resources/org/syncmesh/wire/FrameFuzzTestInputs/<method>/}: real frames and bodies from the golden
 * vectors (written by {@link FuzzCorpusTest}) and any finding committed since. To fuzz one method, for two minutes
 * unless {@code -Djazzer.max_duration} says otherwise (Jazzer fuzzes one method per run; a finding is written to
 * that folder, where it becomes a regression test):
 *
 * <pre>JAZZER_FUZZ=1 mvn -B -pl syncmesh test -Dtest='FrameFuzzTest#frame' -Djazzer.max_duration=30s</pre>
 */
final class FrameFuzzTest {
  /** A small cap, so that decompression bombs are cheap to try; the checks hold for any cap. */
  private static final FrameCodec CODEC = new FrameCodec(1 << 16);
  private static final List<Compression> ALL = CompressionNegotiation.DEFAULT_PREFERENCE;

  /** Whole frames, {@code N ‖ P}: the length header, every decompressor, the checksum, then the body. */
  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void frame(byte[] frame) {
    InternalMessage m = WireChecks.decodes(WireChecks.frameBudget(CODEC, frame.length),
        () -> CODEC.decodeFrame(frame, ALL),
        FrameLengthMismatchException.class, FrameTooLongException.class, ChecksumMismatchException.class,
        MalformedMsgpackException.class, MessageShapeException.class);
    if (m != null) {
      WireChecks.assertMessageRoundTrips(CODEC, m);
    }
  }

  /**
   * Bodies behind a valid checksum: the fuzzer cannot forge SHA-256, so this is how it reaches the msgpack and
   * message shape checks of a frame.
   */
  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void bodyBehindValidChecksum(byte[] body) {
    byte[] payload = FrameCodecTest.payloadOf(body);
    InternalMessage m = WireChecks.decodes(WireChecks.msgpackBudget(payload.length) + 2L * payload.length,
        () -> CODEC.decodePayload(payload, List.of()),
        FrameTooLongException.class, MalformedMsgpackException.class, MessageShapeException.class);
    if (m != null) {
      WireChecks.assertMessageRoundTrips(CODEC, m);
    }
  }
}
