package org.syncmesh.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.syncmesh.wire.CompressionNegotiation;
import org.syncmesh.wire.FrameCodec;
import org.syncmesh.wire.WireFormatException;

/**
 * Fuzz test of the inbound byte stream: {@link FrameDecoder} in an EmbeddedChannel splits any stream, delivered in
 * chunks, into the payloads a plain sequential reading of the length headers gives, fails only with Netty's
 * {@link TooLongFrameException} at the first header over the cap, and releases every buffer; each payload then
 * decodes with {@link FrameCodec} or fails with a {@link WireFormatException}, as {@link MessageDecoder} does.
 *
 * <p>Input: one byte giving the chunk size (1–256), then the stream. {@code mvn verify} runs it as a regression test
 * on the files in {@code src/test/resources/org/syncmesh/net/FrameDecoderFuzzTestInputs/stream/} (the golden
 * vectors' frames, one by one and all in a row, written by {@code FuzzCorpusTest}). To fuzz it for two minutes, or
 * as long as {@code -Djazzer.max_duration} says:
 *
 * <pre>JAZZER_FUZZ=1 mvn -B -pl syncmesh test -Dtest=FrameDecoderFuzzTest -Djazzer.max_duration=30s</pre>
 */
final class FrameDecoderFuzzTest {
  /** A small cap, so the fuzzer meets it. */
  private static final int MAX = 1024;
  private static final FrameCodec CODEC = new FrameCodec(MAX);

  @FuzzTest(maxDuration = "2m")
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void stream(byte[] input) {
    int chunk = input.length == 0 ? 1 : (input[0] & 0xff) + 1;
    byte[] stream = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
    Reading expected = Reading.of(stream);

    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX));
    List<ByteBuf> inputs = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    Throwable failure = null;
    try {
      for (int at = 0; at < stream.length && failure == null; at += chunk) {
        ByteBuf buf = Unpooled.copiedBuffer(stream, at, Math.min(chunk, stream.length - at));
        inputs.add(buf);
        try {
          channel.writeInbound(buf);
        } catch (TooLongFrameException e) {
          failure = e;
        }
        drain(channel, payloads);
      }
    } finally {
      channel.finishAndReleaseAll();
    }

    assertThat(hex(payloads)).as("payloads").containsExactlyElementsOf(hex(expected.payloads()));
    assertThat(failure != null).as("failed on a header over the cap (%s)", failure).isEqualTo(expected.tooLong());
    assertThat(inputs).allSatisfy(b -> assertThat(b.refCnt()).as("input buffer reference count").isZero());
    for (byte[] payload : payloads) {
      try {
        CODEC.decodePayload(payload, CompressionNegotiation.DEFAULT_PREFERENCE);
      } catch (WireFormatException e) {
        // MessageDecoder passes it on and the link closes; any other exception fails the test
      }
    }
  }

  private static List<String> hex(List<byte[]> payloads) {
    return payloads.stream().map(ByteBufUtil::hexDump).toList();
  }

  private static void drain(EmbeddedChannel channel, List<byte[]> into) {
    ByteBuf frame;
    while ((frame = channel.readInbound()) != null) {
      try {
        into.add(ByteBufUtil.getBytes(frame));
      } finally {
        frame.release();
      }
    }
  }

  /** The payloads of a stream read header by header, and whether the reading stopped at a header over the cap. */
  private record Reading(List<byte[]> payloads, boolean tooLong) {
    static Reading of(byte[] stream) {
      List<byte[]> payloads = new ArrayList<>();
      int at = 0;
      while (stream.length - at >= FrameCodec.HEADER_BYTES) {
        long n = (stream[at] & 0xffL) << 24 | (stream[at + 1] & 0xff) << 16 | (stream[at + 2] & 0xff) << 8
            | (stream[at + 3] & 0xff);
        if (n > MAX) {
          return new Reading(payloads, true);
        }
        if (stream.length - at - FrameCodec.HEADER_BYTES < n) {
          break; // an incomplete last frame waits for more bytes
        }
        payloads.add(Arrays.copyOfRange(stream, at + FrameCodec.HEADER_BYTES, at + FrameCodec.HEADER_BYTES + (int) n));
        at += FrameCodec.HEADER_BYTES + (int) n;
      }
      return new Reading(payloads, false);
    }
  }
}
